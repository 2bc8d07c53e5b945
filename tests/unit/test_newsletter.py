"""The newsletter generator: sources from a local feed server, content-sources dedupe across
occurrences, the AI steps (test provider; the OpenAI fake once), the three templates, the report."""

from __future__ import annotations

import datetime as dt

import pytest

from functions.ai.errors import AIError
from functions.marketing.generators import newsletter
from functions.marketing.generators.newsletter.tracking import COLLECTION, source_id
from functions.testing.feed_fake import FeedFake, item

NOW = dt.datetime(2026, 6, 3, 17, 30, tzinfo=dt.UTC)
ALERTS = "alerts@example.com"


@pytest.fixture(scope="module")
def _feed_server():
    fake = FeedFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def feeds(_feed_server, manager, monkeypatch):
    _feed_server.reset()
    monkeypatch.delenv("BEM_AI_PROVIDER", raising=False)
    return _feed_server


@pytest.fixture
def configure(manager):
    """``configure(sources=[...], **content)``: enable the newsletter with one content entry (test AI provider)."""
    from functions.config import parse_config

    def apply(sources, provider="test", newsletter_extra=None, **content):
        raw = manager.config.model_dump(by_alias=True, exclude_none=True)
        raw["ai"] = {**raw.get("ai", {}), "provider": provider}
        raw["marketing"] = {**raw.get("marketing", {}), "newsletter": {
            "enabled": True, "content": [{"sources": sources, "categories": ["marketing"], **content}], **(newsletter_extra or {})}}
        manager.config = parse_config(raw)
        return manager.config

    return apply


def campaign(send_at=1780507800, **settings):
    return {"id": "_recurring-newsletter", "sendAt": send_at, "generator": "newsletter",
            "settings": {"name": "Demo Newsletter", "sender": "newsletter", **settings}}


def used_docs(manager):
    return {s.id: s.to_dict() for s in manager.db.collection(COLLECTION).get()}


MARKETING = [item("m1", "Marketing budgets move to video"), item("m2", "Email marketing open rates climb")]


def test_an_issue_from_rss_and_atom_marks_its_sources_used_in_bems_shape(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", MARKETING)
    atom = feeds.atom("/news.atom", [item("a1", "Marketing teams adopt AI copy")])
    configure([f"$feed:{rss}", f"$feed:{atom}"])
    result = newsletter.generate(manager, campaign(), now=NOW)
    assert result["subject"] and result["preheader"] and result["content"] == result["contentHtml"]
    for title in ("Marketing budgets move to video", "Email marketing open rates climb", "Marketing teams adopt AI copy"):
        assert title in result["content"]
    assert result["meta"]["sources"] | {"scores": None} == {"total": 3, "filtered": 3, "scores": None, "used": result["meta"]["sources"]["used"]}
    docs = used_docs(manager)
    assert len(docs) == 3
    doc = docs[source_id(f"$feed:{rss}", "https://news.example/m1")]
    assert {k: doc[k] for k in ("url", "origin", "feedUrl", "itemId", "itemTitle", "usedBy", "brandId", "postUrl")} == {
        "url": "https://news.example/m1", "origin": f"$feed:{rss}", "feedUrl": rss, "itemId": "m1",
        "itemTitle": "Marketing budgets move to video", "usedBy": "newsletter", "brandId": "demo", "postUrl": None}
    assert doc["metadata"]["created"]["timestampUNIX"] == int(NOW.timestamp())


def test_the_next_occurrence_uses_only_new_items_and_none_new_is_none(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", MARKETING)
    configure([f"$feed:{rss}"])
    first = newsletter.generate(manager, campaign(send_at=1000), now=NOW)
    assert [s["title"] for s in first["meta"]["sources"]["used"]] == ["Marketing budgets move to video", "Email marketing open rates climb"]
    feeds.rss("/blog.xml", [item("m3", "Marketing attribution gets simpler"), *MARKETING])
    second = newsletter.generate(manager, campaign(send_at=2000), now=NOW)
    assert [s["title"] for s in second["meta"]["sources"]["used"]] == ["Marketing attribution gets simpler"]
    assert "Marketing budgets move to video" not in second["content"]
    assert newsletter.generate(manager, campaign(send_at=3000), now=NOW) is None
    assert len(used_docs(manager)) == 3


def test_an_ai_failure_raises_and_marks_no_source_used(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", [item("m1", "Marketing news", content="Marketing news [[error:boom]] for the week.")])
    configure([f"$feed:{rss}"])
    with pytest.raises(AIError):
        newsletter.generate(manager, campaign(), now=NOW)
    assert used_docs(manager) == {} and mailbox.to(ALERTS) == []


def test_the_brand_fit_filter_drops_off_topic_items(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", [item("m1", "Marketing budgets move to video"), item("c1", "Ten soup recipes for winter")])
    configure([f"$feed:{rss}"])
    result = newsletter.generate(manager, campaign(), now=NOW)
    assert "Marketing budgets move to video" in result["content"] and "soup" not in result["content"]
    assert {s["id"]: s["fit"] for s in result["meta"]["sources"]["scores"]} == {"m1": 9, "c1": 2}
    assert len(used_docs(manager)) == 2  # BEM marks every considered source, kept or not


def test_nothing_fits_the_brand_is_none_and_writes_nothing(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", [item("c1", "Ten soup recipes for winter")])
    configure([f"$feed:{rss}"])
    assert newsletter.generate(manager, campaign(), now=NOW) is None
    assert used_docs(manager) == {} and mailbox.to(ALERTS) == []


def test_brand_fit_and_issue_through_openai(manager, feeds, configure, mailbox, openai_fake):
    rss = feeds.rss("/blog.xml", [item("m1", "Marketing budgets move to video"), item("c1", "Ten soup recipes for winter")])
    configure([f"$feed:{rss}"], provider="openai")
    openai_fake.reply_json({"scores": [{"id": "m1", "fit": 8, "reason": "on topic"}, {"id": "c1", "fit": 1, "reason": "cooking"}]})
    sections = [{"title": "Budgets shift", "body": "Teams **move** money.", "image_prompt": "coins"},
                {"title": "What to do", "body": "Plan ahead.", "image_prompt": "map"}]
    openai_fake.reply_json({"subject": "Video eats the budget", "preheader": "Where the money goes", "signoff": "Best,\nThe Demo Team",
                            "summary": "Budgets move to video.", "tags": ["video"], "intro": "A short week.", "sections": sections,
                            "citations": [{"note": "Most budgets grew", "source": "Industry data"}]})
    result = newsletter.generate(manager, campaign(), now=NOW)
    calls = openai_fake.model_calls
    assert len(calls) == 2 and all(c.body["model"] == "gpt-5.4-mini" for c in calls)
    issue_prompt = str(calls[1].body["input"])
    assert "Marketing budgets move to video" in issue_prompt and "soup" not in issue_prompt
    assert result["subject"] == "Video eats the budget" and result["tags"] == ["video"]
    assert "<strong>move</strong>" in result["content"] and "Most budgets grew" in result["content"]
    assert result["meta"]["steps"]["structure"]["provider"] == "openai" and result["meta"]["totals"]["aiCalls"] == 2


@pytest.mark.parametrize("template, marker", [("clean", "Sponsored"), ("editorial", "Story 01 of 02"), ("field-report", "END DISPATCH")])
def test_each_template_renders_subject_preheader_sections_and_utm_links(manager, feeds, configure, mailbox, template, marker):
    rss = feeds.rss("/blog.xml", MARKETING)
    configure([f"$feed:{rss}"], template=template,
              sponsorships=[{"url": "https://example.com/pricing", "headline": "Go pro", "position": "middle"}])
    result = newsletter.generate(manager, campaign(utm={"utm_campaign": "newsletter_{date.month}_{date.year}"}), now=NOW)
    html = result["content"]
    assert f"<title>{result['subject']}</title>" in html and result["preheader"] in html
    for title in ("Marketing budgets move to video", "Email marketing open rates climb"):
        assert title in html
    assert marker in html
    assert "https://example.com/pricing?utm_source=demo&amp;utm_medium=email&amp;utm_campaign=newsletter_June_2026&amp;utm_content=marketing" in html
    assert "https://example.com?utm_source=demo" in html or "https://example.com/?utm_source=demo" in html
    assert "Go pro" in html


def test_the_report_is_sent_once_when_an_occurrence_is_retried(manager, feeds, configure, mailbox):
    rss = feeds.rss("/blog.xml", MARKETING)
    configure([f"$feed:{rss}"])
    first = newsletter.generate(manager, campaign(), now=NOW)
    again = newsletter.generate(manager, campaign(), now=NOW)  # the job died before sending: same occurrence
    assert again is not None and again["meta"]["sources"]["used"] == first["meta"]["sources"]["used"]
    reports = mailbox.to(ALERTS)
    assert len(reports) == 1
    assert reports[0]["subject"] == f'Newsletter generated: "{first["subject"]}"'
    assert "marketing/newsletter-report" in reports[0]["categories"] and "Marketing budgets move to video" in reports[0]["text"]


def test_parent_sources_follow_bems_endpoint_rules(manager, feeds, configure, mailbox):
    parent = feeds.json("/newsletter-sources", {"sources": [
        {"id": "-Op1", "title": "Marketing on LinkedIn changes", "url": "https://parent.example/s/1", "category": "marketing",
         "source": {"from": "daily.example", "subject": "LinkedIn changes", "content": "Marketing teams on LinkedIn..."},
         "ai": {"headline": "LinkedIn marketing changes", "summary": "What changed for marketing.", "takeaways": ["Post less"]}}]})
    configure(["$parent"], categories=["marketing", "social-media"], newsletter_extra={"sourcesUrl": parent})
    result = newsletter.generate(manager, campaign(), now=NOW)
    hits = feeds.hits("/newsletter-sources")
    assert [h.query["category"] for h in hits] == ["marketing", "social-media"]
    assert all(h.query["limit"] == "3" and h.query["backendManagerKey"] for h in hits)
    assert result["meta"]["sources"]["used"] == [{"title": "Marketing on LinkedIn changes", "url": "https://parent.example/s/1", "origin": "$parent"}]
    assert source_id("$parent", "https://parent.example/s/1") in used_docs(manager)


def test_an_unreadable_feed_is_skipped_and_the_brand_feed_is_read(manager, feeds, configure, mailbox):
    broken = feeds.rss("/broken.xml", MARKETING)
    feeds.fail_next("/broken.xml", status=503)
    brand = feeds.atom("/feed.xml", [item("b1", "Our marketing release notes")])
    configure([f"$feed:{broken}", "$brand"], newsletter_extra={"brandFeed": brand})
    result = newsletter.generate(manager, campaign(), now=NOW)
    assert [s["origin"] for s in result["meta"]["sources"]["used"]] == ["$brand"]


def test_disabled_or_unconfigured_generates_nothing(manager, feeds, mailbox):
    assert newsletter.generate(manager, campaign(), now=NOW) is None
    assert feeds.requests == []


def test_cli_preview_writes_the_html_and_nothing_else(manager, feeds, mailbox, monkeypatch, tmp_path):
    import json

    from typer.testing import CliRunner

    from functions.cli import _register, app

    _register()
    rss = feeds.rss("/blog.xml", MARKETING)
    (tmp_path / "main.py").write_text("")
    (tmp_path / "firebase.json").write_text("{}")
    (tmp_path / "backend-manager-config.json").write_text(json.dumps({
        "brand": {"id": "demo", "name": "Demo", "url": "https://example.com", "contact": {"email": "support@example.com"}},
        "ai": {"provider": "test"},
        "marketing": {"newsletter": {"content": {"sources": [f"$feed:{rss}"], "categories": ["marketing"], "template": "editorial"}}}}))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "issue.html"
    result = CliRunner().invoke(app, ["newsletter", "preview", "--no-emulator", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Marketing budgets move to video" in out.read_text() and "AI:        test" in result.output
    assert used_docs(manager) == {} and mailbox.to(ALERTS) == []


@pytest.fixture
def github(monkeypatch):
    from functions.testing.github_fake import GitHubFake

    fake = GitHubFake().start()
    monkeypatch.setenv("GITHUB_API_URL", fake.url)
    monkeypatch.setenv("GH_TOKEN", "ghp_test")
    yield fake
    fake.stop()


def test_section_images_are_drawn_by_openai_and_published_to_the_asset_host(manager, feeds, configure, mailbox, openai_fake, github):
    rss = feeds.rss("/blog.xml", MARKETING)
    configure([f"$feed:{rss}"], provider="openai", image={"enabled": True},
              newsletter_extra={"assets": {"repository": "acme/newsletter-assets", "cdn": "https://cdn.example.com/newsletters"}})
    sections = [{"title": "One", "body": "First.", "image_prompt": "a rocket"}, {"title": "Two", "body": "Second.", "image_prompt": "a map"}]
    openai_fake.reply_json({"scores": [{"id": "m1", "fit": 9, "reason": "ok"}, {"id": "m2", "fit": 9, "reason": "ok"}]})
    openai_fake.reply_json({"subject": "S", "preheader": "P", "signoff": "Best", "summary": "", "tags": [], "citations": [],
                            "intro": "", "sections": sections})
    github.fail_next(500)  # the first upload fails: that section renders without its image
    result = newsletter.generate(manager, campaign(send_at=1000), now=NOW)
    assert len(openai_fake.requests_to("/v1/images/generations")) == 2
    urls = [u for u in result["assets"]["imageUrls"] if u]
    assert len(urls) == 1 and urls[0].startswith("https://cdn.example.com/newsletters/demo/content/_recurring-newsletter-1000/section-")
    assert urls[0] in result["content"]
    assert list(github.files) == [f"acme/newsletter-assets:{urls[0].split('/newsletters/')[1]}"]
    assert next(iter(github.files.values())).startswith(b"\x89PNG")
    assert sum(1 for m in result["meta"]["steps"]["images"] if m.get("error")) == 1


def test_section_images_need_openai_and_say_so(manager, feeds, configure, mailbox, caplog, monkeypatch):
    from functions.testing.ai_fixtures import KEY_VARIABLES

    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    rss = feeds.rss("/blog.xml", MARKETING)
    configure([f"$feed:{rss}"], image={"enabled": True})
    result = newsletter.generate(manager, campaign(), now=NOW)
    assert "assets" not in result and "<img" not in result["content"]
    assert "section images skipped: no OpenAI key" in caplog.text


def test_a_bad_newsletter_config_stops_the_start_naming_the_key():
    from functions.config import parse_config
    from functions.errors import ConfigError

    with pytest.raises(ConfigError, match=r"marketing\.newsletter\.content\.0\.template"):
        parse_config({"marketing": {"newsletter": {"content": {"template": "fancy"}}}})
    # kept as BEM's dict, which the marketing providers read
    assert parse_config({"marketing": {"newsletter": {"enabled": True}}}).marketing.newsletter == {"enabled": True}
