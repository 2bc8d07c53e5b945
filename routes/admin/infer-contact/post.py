"""POST /admin/infer-contact {email | emails[]}: infer names and company from e-mail addresses
(admin only; BEM's answer ``{results: [{email, firstName, lastName, company, confidence, method}]}``)."""

from concurrent.futures import ThreadPoolExecutor

from functions.api import RouteOptions

OPTIONS = RouteOptions(require="admin", setup_usage=False)
PARALLEL = 8


def main(manager, settings):
    from functions.ai.infer_contact import infer_contact

    emails = [e for e in settings.emails if e] or ([settings.email] if settings.email else [])
    with ThreadPoolExecutor(max_workers=min(PARALLEL, max(len(emails), 1))) as pool:
        inferred = list(pool.map(lambda email: infer_contact(manager, email), emails))
    return {"results": [{"email": email, **result} for email, result in zip(emails, inferred, strict=True)]}
