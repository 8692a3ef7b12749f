"""Respondents without accounts for the tests, made by the service the pages use."""

from urllib.parse import urlsplit

from django_scopes import scope

from assessments import engagement


def add_link_respondent(
    assessment,
    *,
    name="Rita Respondent",
    email="rita@example.org",
    perspective="it",
    language="de",
    invite=False,
):
    with scope(organisation=assessment.organisation):
        (respondent,) = engagement.add_respondents(
            assessment=assessment,
            rows=[{"name": name, "email": email, "perspective": perspective, "language": language}],
            invite=invite,
        )
        return respondent


def link_path(respondent) -> str:
    """The personal link as path and query (the test client needs no host)."""
    url = engagement.personal_link(respondent, org_slug=respondent.assessment.organisation.slug)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def optout_path(respondent) -> str:
    url = engagement.optout_link(respondent, org_slug=respondent.assessment.organisation.slug)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def token_of(path: str) -> dict:
    key, _, value = urlsplit(path).query.partition("=")
    from urllib.parse import unquote

    return {key: unquote(value)}
