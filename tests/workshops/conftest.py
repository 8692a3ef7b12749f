"""Workshop fixtures: a session on the alignment section, participants joined through the
service (the cookie token is returned so a test client can act as the participant)."""

import pytest
from django.core.cache import cache
from django_scopes import scope

from assessments.models import Section
from workshops import services
from workshops.views import COOKIE_PREFIX, participant_cookie

from .pushpin import pushpin  # noqa: F401 - the fixture, for the browser tests


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read the English messages; the German catalogue is the lead's to maintain.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def clear_cache(db):
    cache.clear()
    yield
    cache.clear()


class Room:
    """One workshop session of organisation A's assessment, and helpers to fill it."""

    def __init__(self, personas, mode="facilitator", section_key="alignment"):
        self.personas = personas
        self.org = personas.org_a
        with scope(organisation=self.org):
            section = (
                Section.objects.get(catalogue=personas.assessment.catalogue, key=section_key)
                if section_key
                else None
            )
            self.session = services.start_session(
                assessment=personas.assessment,
                mode=mode,
                section=section,
                user=personas.users["consultant"],
            )

    def refresh(self):
        with scope(organisation=self.org):
            self.session.refresh_from_db()
        return self.session

    def join(self, perspective="business", name="", nonce=""):
        """A participant and the signed cookie value its phone holds."""
        with scope(organisation=self.org):
            participant, _token = services.join_session(
                session=self.session, perspective=perspective, display_name=name, nonce=nonce
            )
        return participant, participant_cookie(participant)

    def cookie(self, client, value):
        client.cookies[COOKIE_PREFIX + self.session.code] = value
        return client

    def questions(self):
        from workshops import selectors

        with scope(organisation=self.org):
            return selectors.session_questions(session=self.refresh())


@pytest.fixture
def room(personas, clear_cache):
    return Room(personas)


@pytest.fixture
def self_paced_room(personas, clear_cache):
    return Room(personas, mode="self")
