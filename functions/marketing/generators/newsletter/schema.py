"""What the model must answer (BEM's ``BASE_SCHEMA`` + each template's fragment), as pydantic models.

Length limits are hints in the JSON schema (``maxLength``) rather than validation failures: a
subject one character too long is trimmed by ``normalise``, not a failed issue.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


def _hint(**schema: Any) -> Any:
    return Field(json_schema_extra=schema)


class Citation(BaseModel):
    note: str
    source: str


class Issue(BaseModel):
    """BEM's universals: every template's issue has these."""

    subject: str = _hint(maxLength=80)
    preheader: str = _hint(maxLength=120)
    signoff: str
    summary: str = _hint(maxLength=600)
    tags: list[str] = _hint(maxItems=5)
    citations: list[Citation] = _hint(maxItems=10)


class Section(BaseModel):
    title: str
    body: str
    image_prompt: str


class ClassicIssue(Issue):
    """``clean`` and ``editorial``: intro + sections."""

    intro: str
    sections: list[Section] = _hint(minItems=2, maxItems=6)


class DataPoint(BaseModel):
    label: str = _hint(maxLength=22)
    value: str = _hint(maxLength=16)


class Dispatch(BaseModel):
    kicker: str = _hint(maxLength=30)
    headline: str = _hint(maxLength=90)
    byline: str = _hint(maxLength=60)
    location: str = _hint(maxLength=30)
    lede: str = _hint(maxLength=220)
    dispatch: str
    dataPoints: list[DataPoint] = _hint(maxItems=4)  # noqa: N815 (BEM's key)
    image_prompt: str


class FieldReportIssue(Issue):
    """``field-report``: tldr + dateline + dispatches."""

    tldr: str = _hint(maxLength=400)
    dateline: str = _hint(maxLength=60)
    dispatches: list[Dispatch] = _hint(minItems=2, maxItems=5)


SCHEMAS: dict[str, type[Issue]] = {"clean": ClassicIssue, "editorial": ClassicIssue, "field-report": FieldReportIssue}


def normalise(issue: Issue, brand_name: str) -> dict:
    """The issue as a dict with BEM's defaults filled and limits applied; ``sections`` always present
    (field-report maps its dispatches onto it, as BEM does, so images iterate one list)."""
    data = issue.model_dump()
    data["subject"] = data["subject"].strip()[:80]
    data["preheader"] = data["preheader"].strip()[:120]
    data["summary"] = data["summary"].strip()[:600]
    data["signoff"] = data["signoff"].strip() or f"Best,\nThe {brand_name} Team"
    data["tags"] = [t.strip()[:40] for t in data["tags"] if t.strip()][:5]
    data["citations"] = data["citations"][:10]
    if "dispatches" in data:
        data["dateline"] = (data["dateline"] or "REMOTE").upper()
        for i, d in enumerate(data["dispatches"]):
            d["kicker"] = d["kicker"] or ("LEAD DISPATCH" if i == 0 else "DISPATCH")
            d["byline"] = d["byline"] or f"Filed by The {brand_name} desk"
            d["location"] = (d["location"] or "REMOTE").upper()
            d["dataPoints"] = d["dataPoints"][:4]
        data["sections"] = [{"title": d["headline"], "body": d["dispatch"], "image_prompt": d["image_prompt"]} for d in data["dispatches"]]
    return data
