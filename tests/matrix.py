"""Building blocks of the permission matrix (tests/test_permissions.py). Each app adds its
rows in its own module (tests/<app>/permission_rows.py) with these helpers."""

from dataclasses import dataclass
from typing import Any

from django_scopes import scope

from assessments.models import Invitation, Membership

PERSONAS = ["anonymous", "owner", "consultant", "respondent", "viewer", "outsider"]
LOGIN = "login"  # expected "redirect to the login page"


@dataclass
class Row:
    method: str
    expected: dict[str, Any]  # persona -> status code, or LOGIN
    kwargs: Any = None  # callable(personas) -> dict
    data: Any = None  # callable(personas) -> dict


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def signed_in(status, anonymous=LOGIN):
    return {**dict.fromkeys(PERSONAS, status), "anonymous": anonymous}


def by_role(allowed: set[str], ok=200, denied=403):
    """An organisation view: roles in ``allowed`` get ``ok``, other roles of A get 403, the
    owner of B gets 404, anonymous users go to sign in."""
    expected = {"anonymous": LOGIN, "outsider": 404}
    for role in ("owner", "consultant", "respondent", "viewer"):
        expected[role] = ok if role in allowed else denied
    return expected


def respondent_only(ok=200):
    # Only the person invited to answer has a questionnaire; for others it does not exist.
    return {
        "anonymous": LOGIN,
        "owner": 404,
        "consultant": 404,
        "respondent": ok,
        "viewer": 404,
        "outsider": 404,
    }


ALL_ROLES = {"owner", "consultant", "respondent", "viewer"}
MANAGERS = {"owner", "consultant"}
READERS = {"owner", "consultant", "viewer"}


def org(p):
    return {"org_slug": p.org_a.slug}


def assessment(p):
    return {"org_slug": p.org_a.slug, "pk": p.assessment.pk}


def viewer_membership(p):
    with scope(organisation=p.org_a):
        pk = Membership.objects.get(organisation=p.org_a, role="viewer").pk
    return {"org_slug": p.org_a.slug, "pk": pk}


def invitation(p):
    with scope(organisation=p.org_a):
        inv = Invitation.objects.create(
            organisation=p.org_a, email="new@example.org", role="viewer"
        )
    return {"org_slug": p.org_a.slug, "pk": inv.pk}


def invitation_token(p):
    with scope(organisation=p.org_a):
        inv = Invitation.objects.create(
            organisation=p.org_a, email="new@example.org", role="viewer"
        )
    return {"token": inv.token}
