"""Shared fixtures: the real catalogue, and personas (owner, consultant, respondent, viewer
of organisation A; owner of organisation B; anonymous)."""

import pytest
from django_scopes import scope, scopes_disabled

from assessments import services
from assessments.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    LATEST_CATALOGUE_PATH,
    read_and_load_catalogue,
)
from assessments.models import Catalogue, Question, Role

from .browser import browser_contexts, chromium, live_app  # noqa: F401 - shared fixtures
from .factories import AssessmentFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Tests talk plain http to the test client; production keeps HTTPS-only cookies.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Hashing with PBKDF2 costs ~0.3 s a user; tests are not about password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Load the real catalogue once; each test's transaction rolls back over it.
    with django_db_blocker.unblock():
        read_and_load_catalogue(DEFAULT_CATALOGUE_PATH)


@pytest.fixture
def catalogue(db) -> Catalogue:
    """The real catalogue of the repository, loaded once per test database state."""
    existing = Catalogue.objects.filter(slug="co-creation").first()
    if existing is not None:
        return existing
    loaded, _created = read_and_load_catalogue(DEFAULT_CATALOGUE_PATH)
    return loaded


@pytest.fixture
def questions(catalogue) -> list[Question]:
    return list(
        Question.objects.filter(catalogue=catalogue)
        .select_related("section")
        .order_by("section__order", "order")
    )


class Personas:
    """Organisation A with one member per role and an assessment; organisation B with its
    own owner and assessment."""

    def __init__(self, catalogue):
        self.org_a = OrganisationFactory(slug="org-a", name="Organisation A")
        self.org_b = OrganisationFactory(slug="org-b", name="Organisation B")
        self.users = {}
        with scope(organisation=self.org_a):
            for role in Role.values:
                membership = MembershipFactory(
                    organisation=self.org_a, role=role, user=UserFactory(username=f"a-{role}")
                )
                self.users[role] = membership.user
            self.assessment = services.create_assessment(
                organisation=self.org_a,
                created_by=self.users["owner"],
                title="Assessment A",
                catalogue=catalogue,
                target_stage=3,
                respondents=[(self.users["respondent"], "business")],
            )
            self.respondent = self.assessment.respondents.get()
        with scope(organisation=self.org_b):
            self.users["outsider"] = MembershipFactory(
                organisation=self.org_b, role=Role.OWNER, user=UserFactory(username="b-owner")
            ).user
            self.assessment_b = AssessmentFactory(organisation=self.org_b, catalogue=catalogue)


@pytest.fixture
def personas(catalogue) -> Personas:
    return Personas(catalogue)


@pytest.fixture
def catalogue_2026_2(db) -> Catalogue:
    """Catalogue 2026.2 (actions, dimensions, context questions, code map), loaded inside
    the test's transaction; the suite's default catalogue stays 2026.1."""
    loaded, _created = read_and_load_catalogue(LATEST_CATALOGUE_PATH)
    return loaded


@pytest.fixture
def personas_2026_2(catalogue, catalogue_2026_2) -> Personas:
    """The personas, with organisation A's assessment on catalogue 2026.2."""
    return Personas(catalogue_2026_2)


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield
