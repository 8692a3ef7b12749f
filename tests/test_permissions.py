"""The permission matrix: every URL pattern of the app, requested as anonymous, as each role
of organisation A and as the owner of organisation B, with the status each must get.

A URL added without a row here fails ``test_matrix_covers_every_url``.
"""

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .assessments.plan_permission_rows import plan_item as plan_item_kwargs
from .assessments.plan_permission_rows import respondent as respondent_kwargs
from .matrix import (
    ALL_ROLES,
    LOGIN,
    MANAGERS,
    PERSONAS,
    READERS,
    Row,
    assessment,
    by_role,
    everyone,
    invitation,
    invitation_token,
    org,
    respondent_only,
    signed_in,
    viewer_membership,
)

MATRIX: dict[str, Row] = {
    # Public and account pages
    "set_language": Row("post", everyone(302), data=lambda p: {"language": "en"}),
    "login": Row("get", everyone(200)),
    "logout": Row("post", everyone(302)),
    "password_change": Row("get", signed_in(200)),
    "password_change_done": Row("get", signed_in(200)),
    "password_reset": Row("get", everyone(200)),
    "password_reset_done": Row("get", everyone(200)),
    "password_reset_confirm": Row(
        "get", everyone(200), kwargs=lambda p: {"uidb64": "MQ", "token": "set-password"}
    ),
    "password_reset_complete": Row("get", everyone(200)),
    "methodology": Row("get", everyone(200)),
    "home": Row("get", everyone(200)),  # visitors see the landing page
    "organisation_create": Row("get", signed_in(200)),
    # The invitation is for new@example.org: anyone may open it, a signed-in account with
    # another address is told which address it was sent to.
    "invitation_accept": Row("get", signed_in(403, anonymous=200), kwargs=invitation_token),
    # Organisation
    "organisation": Row("get", by_role(ALL_ROLES), kwargs=org),
    "organisation_edit": Row("get", by_role({"owner"}), kwargs=org),
    "members": Row("get", by_role({"owner"}), kwargs=org),
    "member_role": Row(
        "post",
        by_role({"owner"}, ok=302),
        kwargs=viewer_membership,
        data=lambda p: {"role": "viewer"},
    ),
    "member_remove": Row("post", by_role({"owner"}, ok=302), kwargs=viewer_membership),
    "invitation_revoke": Row("post", by_role({"owner"}, ok=302), kwargs=invitation),
    # Assessments
    "assessment_create": Row("get", by_role(MANAGERS), kwargs=org),
    "assessment": Row("get", by_role(ALL_ROLES), kwargs=assessment),
    "assessment_edit": Row("get", by_role(MANAGERS), kwargs=assessment),
    "assessment_close": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    "assessment_reopen": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    # The matrix's assessment is open: managers are sent back to the results page.
    "results_recompute": Row("post", by_role(MANAGERS, ok=302), kwargs=assessment),
    "results": Row("get", by_role(READERS), kwargs=assessment),
    # Questionnaire
    "questionnaire": Row("get", respondent_only(302), kwargs=assessment),
    "questionnaire_section": Row(
        "get",
        respondent_only(),
        kwargs=lambda p: {**assessment(p), "section_key": "alignment"},
    ),
    "questionnaire_save": Row(
        "post",
        respondent_only(),
        kwargs=assessment,
        data=lambda p: {"question": "AL-01", "value": "2", "ts": "1700000000000"},
    ),
    "questionnaire_submit": Row("get", respondent_only(), kwargs=assessment),
    # Without context questions (catalogue 2026.1) the page leads on to the review.
    "questionnaire_context": Row("get", respondent_only(302), kwargs=assessment),
    "healthz": Row("get", everyone(200)),
}

# Rows of the other apps live beside their tests.
for module in (
    "tests.workshops.permission_rows",
    "tests.reports.permission_rows",
    "tests.assessments.permission_rows",
    "tests.assessments.plan_permission_rows",
):
    try:
        MATRIX.update(importlib.import_module(module).ROWS)
    except ModuleNotFoundError as error:
        if not module.startswith(error.name or "?"):
            raise


def url_names(patterns=None, prefix="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: staff only, guarded by Django itself
            names |= url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_matrix_covers_every_url():
    missing = url_names() - set(MATRIX)
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"
    stale = set(MATRIX) - url_names()
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


CASES = [(name, persona) for name in sorted(MATRIX) for persona in PERSONAS]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona"), CASES)
def test_permission_matrix(client, personas, name, persona):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(personas) if row.kwargs else None)
    if persona != "anonymous":
        client.force_login(personas.users[persona])
    data = row.data(personas) if row.data else {}
    response = getattr(client, row.method)(url, data)
    expected = row.expected[persona]
    if expected == LOGIN:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert response.url.startswith(reverse("login")), (name, persona, response.url)
    else:
        assert response.status_code == expected, (name, persona, response.status_code)


# Irreversible actions answer a GET with their confirmation page (only the POST acts): the
# page itself is as protected as the action.
CONFIRMATIONS = {
    "assessment_close": Row("get", by_role(MANAGERS), kwargs=assessment),
    "invitation_revoke": Row("get", by_role({"owner"}), kwargs=invitation),
    "member_remove": Row("get", by_role({"owner"}), kwargs=viewer_membership),
    "results_recompute": Row("get", by_role(MANAGERS, ok=302), kwargs=assessment),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in sorted(CONFIRMATIONS) for persona in PERSONAS]
)
def test_confirmation_page_permissions(client, personas, name, persona):
    row = CONFIRMATIONS[name]
    if persona != "anonymous":
        client.force_login(personas.users[persona])
    response = client.get(reverse(name, kwargs=row.kwargs(personas)))
    expected = row.expected[persona]
    if expected == LOGIN:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert response.url.startswith(reverse("login")), (name, persona, response.url)
    else:
        assert response.status_code == expected, (name, persona, response.status_code)


ORG_OBJECT_URLS = sorted(
    name
    for name, row in MATRIX.items()
    if row.kwargs in (assessment, respondent_kwargs, plan_item_kwargs)
    or name.startswith("questionnaire_")
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ORG_OBJECT_URLS)
def test_other_organisations_object_is_not_found_through_own_organisation(client, personas, name):
    """The owner of B asks for A's assessment through B's own URL: 404, never A's data."""
    row = MATRIX[name]
    kwargs = row.kwargs(personas)
    kwargs["org_slug"] = personas.org_b.slug
    client.force_login(personas.users["outsider"])
    data = row.data(personas) if row.data else {}
    response = getattr(client, row.method)(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 404
