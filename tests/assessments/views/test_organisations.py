import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments.models import Invitation, Membership

from ...factories import UserFactory

pytestmark = pytest.mark.django_db


def test_owner_invites_and_newcomer_signs_up_through_the_link(client, personas):
    client.force_login(personas.users["owner"])
    response = client.post(
        reverse("members", kwargs={"org_slug": "org-a"}),
        {"email": "neu@example.org", "role": "viewer"},
    )
    assert response.status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line)
    client.logout()
    path = link.split("testserver", 1)[1]
    response = client.post(
        path,
        {
            "username": "neu",
            "first_name": "Nora",
            "last_name": "Neumann",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        membership = Membership.objects.get(user__username="neu")
    assert membership.role == "viewer"
    assert client.get(reverse("organisation", kwargs={"org_slug": "org-a"})).status_code == 200


def test_used_invitation_link_is_not_found(client, personas):
    with scope(organisation=personas.org_a):
        invitation = Invitation.objects.create(
            organisation=personas.org_a, email="x@example.org", role="viewer"
        )
    client.force_login(UserFactory())
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 404


def test_owner_cannot_demote_the_last_owner(client, personas):
    client.force_login(personas.users["owner"])
    with scope(organisation=personas.org_a):
        own = Membership.objects.get(user=personas.users["owner"])
    response = client.post(
        reverse("member_role", kwargs={"org_slug": "org-a", "pk": own.pk}),
        {"role": "viewer"},
        follow=True,
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert Membership.objects.get(pk=own.pk).role == "owner"


def test_role_change_with_invalid_role_changes_nothing(client, personas):
    client.force_login(personas.users["owner"])
    with scope(organisation=personas.org_a):
        viewer = Membership.objects.get(user=personas.users["viewer"])
    client.post(
        reverse("member_role", kwargs={"org_slug": "org-a", "pk": viewer.pk}), {"role": "king"}
    )
    with scopes_disabled():
        assert Membership.objects.get(pk=viewer.pk).role == "viewer"


def test_create_organisation_makes_user_owner(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organisation_create"),
        {"name": "Neue AG", "industry": "Handel", "size_band": "large", "country": "at"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Membership.objects.get(user=user).role == "owner"


def test_create_organisation_bad_country_refused(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("organisation_create"),
        {"name": "X", "industry": "", "size_band": "large", "country": "1"},
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert not Membership.objects.exists()


def test_login_throttled_after_five_failures(client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory(username="target")
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "target", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is None


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/methodology/"})
    assert response.status_code == 302
    html = client.get("/methodology/").content.decode()
    assert "How the scoring works" in html
    client.post(reverse("set_language"), {"language": "de", "next": "/methodology/"})
    html = client.get("/methodology/").content.decode()
    assert '<html lang="de">' in html and "How the scoring works" not in html
