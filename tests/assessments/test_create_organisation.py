import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from assessments.models import Membership, Organisation

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("create_organisation", *args, stdout=out)
    return out.getvalue()


def test_creates_organisation_and_owner_with_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-Long-passphrase-42\n"))
    out = io.StringIO()
    call_command(
        "create_organisation",
        "Muster AG",
        "--owner",
        "anna",
        "--email",
        "anna@example.org",
        "--password-from-stdin",
        stdout=out,
    )
    user = get_user_model().objects.get(username="anna")
    assert user.check_password("a-Long-passphrase-42")
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert membership.role == "owner" and membership.organisation.name == "Muster AG"
    assert "/o/muster-ag/" in out.getvalue()


def test_new_owner_without_password_is_told_how_to_set_one():
    out = run("Muster AG", "--owner", "anna", "--email", "anna@example.org")
    assert not get_user_model().objects.get(username="anna").has_usable_password()
    assert "changepassword anna" in out


def test_existing_user_becomes_owner():
    user = UserFactory(username="ben")
    run("Beispiel GmbH", "--owner", "ben")
    with scopes_disabled():
        assert Membership.objects.get(user=user).role == "owner"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["", "--owner", "x", "--email", "x@example.org"], "", "1 to 200 characters"),
        (["A", "--owner", "x", "--email", "not-an-email"], "", "E-mail 'not-an-email'"),
        (["A", "--owner", "x"], "", "give --email"),
        (["A", "--owner", "x", "--email", "x@example.org", "--country", "GER"], "", "two-letter"),
        (
            ["A", "--owner", "x", "--email", "x@example.org", "--password-from-stdin"],
            "short\n",
            "Password:",
        ),
        (["A", "--owner", "bad name!", "--email", "x@example.org"], "", "User:"),
    ],
)
def test_bad_input_is_one_clear_error_and_saves_nothing(monkeypatch, args, stdin, message):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not get_user_model().objects.filter(username__in=["x", "bad name!"]).exists()
    with scopes_disabled():
        assert not Organisation.objects.exists()


def test_existing_user_with_another_email_and_duplicate_name_are_refused():
    UserFactory(username="ben", email="ben@example.org")
    with pytest.raises(CommandError, match="another e-mail"):
        run("A", "--owner", "ben", "--email", "other@example.org")
    run("A", "--owner", "ben")
    with pytest.raises(CommandError, match="exists already"):
        run("a", "--owner", "ben")
