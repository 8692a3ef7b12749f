"""Sign-in sessions, with Django's own session engine and authentication middleware: the
behaviour people rely on (signing out ends the session everywhere it is used, a password
change ends the other sessions, a removed or deactivated account is signed out)."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests/factories.py


def signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_login_page_signs_in_and_home_shows_the_user(client):
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == user


def test_logout_ends_the_session_also_for_a_copied_cookie():
    user = UserFactory()
    client = signed_in(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    copy = Client()
    copy.cookies[settings.SESSION_COOKIE_NAME] = key
    assert is_signed_in(copy)

    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not is_signed_in(client)
    assert not is_signed_in(copy)


def test_password_change_ends_other_sessions_and_keeps_this_one():
    user = UserFactory()
    laptop, phone = signed_in(user), signed_in(user)
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-and-long-passphrase",
            "new_password2": "a-new-and-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_deactivated_user_is_signed_out():
    user = UserFactory()
    client = signed_in(user)
    user.is_active = False
    user.save()
    assert not is_signed_in(client)


def test_deleted_user_is_signed_out():
    user = UserFactory()
    client = signed_in(user)
    user.delete()
    assert not is_signed_in(client)


def test_signed_in_page_reads_session_and_user_in_two_queries(django_assert_num_queries):
    user = UserFactory()
    client = signed_in(user)
    client.get(reverse("password_change_done"))
    with django_assert_num_queries(2):
        response = client.get(reverse("password_change_done"))
    assert response.status_code == 200 and response.wsgi_request.user == user
