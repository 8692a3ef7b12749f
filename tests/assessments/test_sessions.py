"""The session engine that reads the signed-in user with the session: one query, and exactly
Django's decisions about which sessions are valid."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.test import RequestFactory, override_settings
from django.utils import timezone

from assessments.models import UserSession
from assessments.sessions import SessionStore, session_user

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in_session(client, user) -> str:
    client.force_login(user)
    return client.cookies["sessionid"].value


def request_with(session_key):
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return request


def test_session_user_one_query_for_session_and_user(client, django_assert_num_queries):
    user = UserFactory()
    key = signed_in_session(client, user)
    with django_assert_num_queries(1):
        assert session_user(request_with(key)) == user


def test_session_row_names_its_user_after_login(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    assert UserSession.objects.get(session_key=key).user_id == user.pk


def test_session_without_login_has_no_user():
    store = SessionStore()
    store["participant"] = 7
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None
    assert not session_user(request_with(store.session_key)).is_authenticated


def test_session_user_password_changed_signs_out_and_flushes(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    user.set_password("another-secret-phrase")
    user.save()
    request = request_with(key)
    assert not session_user(request).is_authenticated
    assert not UserSession.objects.filter(session_key=key).exists()


def test_session_user_inactive_user_is_anonymous(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    user.is_active = False
    user.save()
    assert not session_user(request_with(key)).is_authenticated


def test_session_user_missing_hash_is_anonymous(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    store = SessionStore(key)
    del store[HASH_SESSION_KEY]
    store.save()
    assert not session_user(request_with(key)).is_authenticated


def test_session_user_other_user_id_in_data_is_not_taken_from_row(client):
    # The row's user column and the signed data disagree: the signed data wins, through
    # Django's own check (the other user's hash does not match).
    user, other = UserFactory(), UserFactory()
    key = signed_in_session(client, user)
    store = SessionStore(key)
    store[SESSION_KEY] = str(other.pk)
    store.save()
    UserSession.objects.filter(session_key=key).update(user_id=user.pk)
    assert not session_user(request_with(key)).is_authenticated


def test_session_user_rotated_secret_key_keeps_user_signed_in(client, settings):
    user = UserFactory()
    with override_settings(SECRET_KEY="old-" + "k" * 60):
        key = signed_in_session(client, user)
    with override_settings(SECRET_KEY="new-" + "k" * 60, SECRET_KEY_FALLBACKS=["old-" + "k" * 60]):
        request = request_with(key)
        assert session_user(request) == user
        assert request.session.session_key != key  # Django cycles the key


def test_deleting_user_ends_their_sessions(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    user.delete()
    assert not UserSession.objects.filter(session_key=key).exists()


def test_signed_in_page_works_through_middleware(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_session_user_timestamps_load_when_used(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    loaded = session_user(request_with(key))
    user.refresh_from_db()
    assert loaded.date_joined == user.date_joined and loaded.last_login == user.last_login


def test_expired_session_is_anonymous(client):
    user = UserFactory()
    key = signed_in_session(client, user)
    UserSession.objects.filter(session_key=key).update(expire_date=timezone.now())
    request = request_with(key)
    assert not session_user(request).is_authenticated
