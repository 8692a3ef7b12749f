from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
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


# ---------------------------------------------------------------- probe findings (issue 10)

PROXY = "10.0.0.1"


@pytest.fixture
def english(settings):
    # These tests read the English messages.
    settings.LANGUAGE_CODE = "en"


def test_login_lockout_of_one_client_behind_proxy_leaves_others_signing_in(client, settings):
    """Five wrong passwords from address A behind the TLS proxy lock A out, not everybody
    whose requests reach the app from the same proxy."""
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="target")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(5):
        client.post(reverse("login"), {"username": "target", "password": "wrong"}, **attacker)
    right = {"username": "target", "password": "correct-horse-battery"}
    assert client.post(reverse("login"), right, **attacker).status_code == 429
    victim = client.__class__(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = victim.post(reverse("login"), right)
    assert response.status_code == 302
    assert "_auth_user_id" in victim.session


def test_login_lockout_ignores_forwarded_for_without_trusted_proxy(client, settings):
    """Without a configured proxy the header is the client's to forge: it must not let an
    attacker escape the lock by changing it."""
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="target")
    for i in range(5):
        client.post(
            reverse("login"),
            {"username": "target", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    response = client.post(
        reverse("login"),
        {"username": "target", "password": "correct-horse-battery"},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert response.status_code == 429


def _invite(client, personas, email="Neu@Example.org"):
    client.force_login(personas.users["owner"])
    client.post(
        reverse("members", kwargs={"org_slug": "org-a"}), {"email": email, "role": "viewer"}
    )
    with scope(organisation=personas.org_a):
        return Invitation.objects.get(email=email.lower())


def test_invitation_refused_to_a_user_with_another_address(client, personas):
    invitation = _invite(client, personas)
    client.force_login(personas.users["respondent"])  # a-respondent@example.org
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client.get(url)
    assert response.status_code == 403
    assert "neu@example.org" in response.content.decode()
    assert client.post(url).status_code == 403
    with scope(organisation=personas.org_a):
        assert Membership.objects.get(user=personas.users["respondent"]).role == "respondent"
        invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accepted_by_the_invited_address_in_any_case(client, personas):
    invitation = _invite(client, personas)
    newcomer = UserFactory(username="neu", email="NEU@example.ORG")
    client.force_login(newcomer)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    with scope(organisation=personas.org_a):
        assert Membership.objects.get(user=newcomer).role == "viewer"


def test_invitation_expires_after_the_configured_days(client, personas, settings, english):
    settings.INVITATION_DAYS = 2
    invitation = _invite(client, personas)
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)
    with scope(organisation=personas.org_a):
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
        invitation.save()
    client.logout()
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    client.force_login(UserFactory(username="neu", email="neu@example.org"))
    assert client.post(url).status_code == 410
    with scopes_disabled():
        assert not Membership.objects.filter(user__username="neu").exists()


def test_invitation_expiry_is_in_the_mail(client, personas, settings, english):
    settings.INVITATION_DAYS = 3
    _invite(client, personas)
    assert "3 days" in mail.outbox[0].body


def test_owner_revokes_invitation_after_confirmation_and_link_says_so(client, personas, english):
    invitation = _invite(client, personas)
    url = reverse("invitation_revoke", kwargs={"org_slug": "org-a", "pk": invitation.pk})
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    html = confirmation.content.decode()
    assert "neu@example.org" in html and f'action="{url}"' in html
    with scope(organisation=personas.org_a):
        invitation.refresh_from_db()
    assert invitation.revoked_at is None  # the GET changed nothing
    assert client.post(url).status_code == 302
    members = client.get(reverse("members", kwargs={"org_slug": "org-a"})).content.decode()
    assert "neu@example.org" not in members
    client.force_login(UserFactory(username="neu", email="neu@example.org"))
    link = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client.get(link)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert client.post(link).status_code == 410


def test_used_invitation_link_says_it_was_used(client, personas, english):
    invitation = _invite(client, personas)
    client.force_login(UserFactory(username="neu", email="neu@example.org"))
    url = reverse("invitation_accept", kwargs={"token": invitation.token})
    assert client.post(url).status_code == 302
    response = client.post(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_unknown_invitation_link_is_a_clear_page(client, english):
    response = client.get(reverse("invitation_accept", kwargs={"token": "no-such-token"}))
    assert response.status_code == 404
    assert "invitation" in response.content.decode().lower()


def _reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_password_reset_mails_limited_per_address_of_the_account(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    UserFactory(username="target", email="target@example.org")
    for i in range(15):
        response = _reset(client, "target@example.org", REMOTE_ADDR=f"192.0.2.{i}")
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 3


def test_password_reset_mails_limited_per_client(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 3
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 10
    for i in range(15):
        UserFactory(username=f"u{i}", email=f"u{i}@example.org")
    for i in range(15):
        assert _reset(client, f"u{i}@example.org").status_code == 302
    assert len(mail.outbox) == 10
    other = client.__class__(REMOTE_ADDR="198.51.100.3")
    assert _reset(other, "u14@example.org").status_code == 302
    assert len(mail.outbox) == 11


def test_password_reset_limit_looks_the_same_for_unknown_addresses(client, settings):
    """No account enumeration: a limited request shows the same page as any other."""
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 1
    UserFactory(username="target", email="target@example.org")
    first = _reset(client, "target@example.org")
    limited = _reset(client, "target@example.org")
    unknown = _reset(client, "nobody@example.org")
    assert first.url == limited.url == unknown.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1


def test_remove_member_asks_first_and_names_what_they_lose(client, personas, english):
    client.force_login(personas.users["owner"])
    viewer = personas.users["viewer"]
    with scope(organisation=personas.org_a):
        membership = Membership.objects.get(user=viewer)
    url = reverse("member_remove", kwargs={"org_slug": "org-a", "pk": membership.pk})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert viewer.get_full_name() in html
    assert "Organisation A" in html
    assert f'<form method="post" action="{url}"' in html
    with scope(organisation=personas.org_a):
        assert Membership.objects.filter(pk=membership.pk).exists()
    members = client.get(reverse("members", kwargs={"org_slug": "org-a"})).content.decode()
    assert f'href="{url}"' in members  # the members page leads to the confirmation
    assert client.post(url).status_code == 302
    with scope(organisation=personas.org_a):
        assert not Membership.objects.filter(pk=membership.pk).exists()
