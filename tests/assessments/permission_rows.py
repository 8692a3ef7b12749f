"""Permission rows of the engagement URLs (issue 13): the participation page and its actions
are for owners and consultants; a personal link and its opt-out open for anyone holding the
token, signed in or not (the token, not an account, is the key)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ..matrix import MANAGERS, Row, assessment, by_role, everyone
from .links import add_link_respondent, link_path, optout_path, token_of


def _respondent(p):
    if getattr(p, "link_respondent", None) is None:
        p.link_respondent = add_link_respondent(p.assessment)
    return p.link_respondent


def respondent(p):
    return {**assessment(p), "rid": _respondent(p).pk}


def _upload(p):
    csv = b"name,email,perspective,language\nAnna Berg,anna@example.org,business,de\n"
    return {"file": SimpleUploadedFile("people.csv", csv, content_type="text/csv")}


ROWS = {
    "participation": Row("get", by_role(MANAGERS), kwargs=assessment),
    "respondent_add": Row(
        "post",
        by_role(MANAGERS, ok=302),
        kwargs=assessment,
        data=lambda p: {
            "name": "Anna Berg",
            "email": "anna@example.org",
            "perspective": "business",
            "language": "de",
        },
    ),
    "respondent_upload": Row("post", by_role(MANAGERS), kwargs=assessment, data=_upload),
    "respondent_import_confirm": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    "respondents_invite": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    "respondents_remind": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    "respondent_remind": Row("post", by_role(MANAGERS, ok=302), kwargs=respondent),
    "respondent_resend": Row("post", by_role(MANAGERS, ok=302), kwargs=respondent),
    "respondent_revoke": Row("get", by_role(MANAGERS), kwargs=respondent),
    "assessment_schedule": Row(
        "post",
        by_role(MANAGERS, ok=302),
        kwargs=assessment,
        data=lambda p: {"deadline": "2030-01-31", "days_after": "3, 7", "days_before": "2"},
    ),
    # A GET of the link only shows the Start button, for whoever holds the token.
    "respondent_link": Row(
        "get",
        everyone(200),
        kwargs=respondent,
        data=lambda p: token_of(link_path(_respondent(p))),
    ),
    "respondent_optout": Row(
        "get",
        everyone(200),
        kwargs=respondent,
        data=lambda p: token_of(optout_path(_respondent(p))),
    ),
}
