"""The phone's session read (written as SQL, for the vote and the state read a whole room
sends at once) gives the room's state as the ORM reads it."""

from django_scopes import scope, scopes_disabled

from workshops import selectors, services
from workshops.models import WorkshopSession


def test_session_for_phone_reads_the_room_as_the_orm_does(room):
    with scope(organisation=room.org):
        services.step(session=room.session, offset=1)
        services.reveal(session=room.refresh())
    phone = selectors.session_for_phone(room.session.code)
    with scopes_disabled():
        orm = WorkshopSession.objects.select_related(
            "assessment__organisation", "assessment__catalogue"
        ).get(code=room.session.code)
    for name in selectors.PHONE_FIELDS:
        assert getattr(phone, name) == getattr(orm, name), name
    assert (phone.current_round, phone.phase) == (1, "revealed")
    assert phone.assessment.pk == orm.assessment.pk
    assert phone.assessment.organisation.pk == room.org.pk
    assert phone.assessment.organisation.slug == room.org.slug
    catalogue = phone.assessment.catalogue
    assert (catalogue.pk, catalogue.checksum, catalogue.loaded_at) == (
        orm.assessment.catalogue.pk,
        orm.assessment.catalogue.checksum,
        orm.assessment.catalogue.loaded_at,
    )
    with scope(organisation=room.org):
        questions = selectors.session_questions(session=phone)
    assert [q.code for q in questions][:2] == ["AL-01", "AL-02"]
    assert phone.current_question_id == questions[1].pk


def test_session_for_phone_unknown_or_malformed_code_is_none(room, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.session_for_phone("ZZZZZZZZ") is None
    with django_assert_num_queries(0):
        assert selectors.session_for_phone("no code; drop table") is None


def test_session_for_phone_reads_a_reloaded_catalogue_anew(room):
    """The process keeps a catalogue by its id, checksum and load time: a catalogue row
    loaded again (one no assessment uses; never the case for a live room's) is read anew."""
    first = selectors.session_for_phone(room.session.code).assessment.catalogue
    with scopes_disabled():
        type(first).objects.filter(pk=first.pk).update(checksum="reloaded")
    again = selectors.session_for_phone(room.session.code).assessment.catalogue
    assert again.checksum == "reloaded"
    assert first.checksum != "reloaded"
