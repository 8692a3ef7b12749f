"""A respondent without an account on the personal link: a GET changes nothing, Start binds
the browser to that one questionnaire, which then works as for members (autosave, the form
without JavaScript, review and submit), and nothing else opens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import engagement
from assessments.models import Answer, Respondent

from ..links import add_link_respondent, link_path, optout_path


@pytest.fixture
def rita(personas):
    return add_link_respondent(personas.assessment)


def start(client, respondent):
    response = client.post(link_path(respondent))
    assert response.status_code == 302
    return response


def _refresh(respondent):
    with scopes_disabled():
        respondent.refresh_from_db()
    return respondent


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.mark.django_db
def test_link_get_shows_start_and_changes_nothing(client, rita):
    response = client.get(link_path(rita))
    assert response.status_code == 200
    assert b'id="start"' in response.content
    assert engagement.SESSION_KEY not in client.session
    assert _refresh(rita).opened_at is None
    # The GET opened nothing: the questionnaire still needs the Start.
    url = reverse("questionnaire", args=["org-a", rita.assessment_id])
    assert client.get(url).status_code == 302  # to sign in


@pytest.mark.django_db
def test_start_opens_own_questionnaire_and_records_opened(client, rita):
    response = start(client, rita)
    assert response.url == reverse("questionnaire", args=["org-a", rita.assessment_id])
    assert _refresh(rita).opened_at is not None
    response = client.get(response.url)
    assert response.status_code == 302
    assert "/questionnaire/" in response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert b'name="q-' in page.content


@pytest.mark.django_db
def test_link_used_on_another_assessment_is_not_found(client, personas, rita):
    other = add_link_respondent(personas.assessment_b, email="x@example.org")
    path = link_path(rita).replace(
        f"/a/{rita.assessment_id}/r/{rita.pk}/", f"/a/{other.assessment_id}/r/{rita.pk}/"
    )
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    # Another respondent's number with this token: the token does not open it.
    path = link_path(rita).replace(f"/r/{rita.pk}/", f"/r/{other.pk}/")
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_link_session_gets_403_on_results_and_other_pages(client, personas, rita):
    start(client, rita)
    a = personas.assessment.pk
    for name, args in [
        ("results", ["org-a", a]),
        ("assessment", ["org-a", a]),
        ("participation", ["org-a", a]),
        ("organisation", ["org-a"]),
        ("questionnaire", ["org-b", personas.assessment_b.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    # The start page is the public landing page, as for any visitor without an account.
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_link_autosave_saves_and_newer_click_wins(client, personas, rita):
    start(client, rita)
    url = reverse("questionnaire_save", args=["org-a", rita.assessment_id])
    response = client.post(url, {"question": "AL-01", "value": "3", "ts": "2000"})
    assert response.json()["ok"] is True and response.json()["answered"] == 1
    old = client.post(url, {"question": "AL-01", "value": "1", "ts": "1000"})
    assert old.json()["applied"] is False
    with scopes_disabled():
        assert Answer.objects.get(respondent=rita).value == 3
    assert client.post(url, {"question": "AL-01", "value": "9", "ts": "3"}).status_code == 400
    assert client.post(url, {"question": "NOPE", "value": "1", "ts": "3"}).status_code == 404
    assert _refresh(rita).last_activity_at is not None


@pytest.mark.django_db
def test_link_form_without_javascript_saves_a_section(client, personas, rita):
    start(client, rita)
    url = reverse("questionnaire_section", args=["org-a", rita.assessment_id, "alignment"])
    response = client.post(url, {"q-AL-01": "2", "q-AL-02": "dk", "next": "1"})
    assert response.status_code == 302
    with scopes_disabled():
        values = dict(Answer.objects.filter(respondent=rita).values_list("question__code", "value"))
    assert values == {"AL-01": 2, "AL-02": None}


@pytest.mark.django_db
def test_review_lists_unanswered_and_dont_know_with_links(client, personas, rita):
    start(client, rita)
    save = reverse("questionnaire_save", args=["org-a", rita.assessment_id])
    client.post(save, {"question": "AL-01", "value": "dk", "ts": "1"})
    client.post(save, {"question": "AL-02", "value": "3", "ts": "1"})
    response = client.get(reverse("questionnaire_submit", args=["org-a", rita.assessment_id]))
    body = response.content.decode()
    assert 'id="review-dont-know"' in body
    dont_know = body.split('id="review-dont-know"')[1]
    assert "#q-AL-01" in dont_know and "#q-AL-02" not in dont_know
    unanswered = body.split('id="review-unanswered"')[1].split('id="review-dont-know"')[0]
    assert "#q-AL-03" in unanswered and "#q-AL-01" not in unanswered


@pytest.mark.django_db
def test_submit_on_link_locks_and_stays_on_review(client, personas, rita):
    start(client, rita)
    url = reverse("questionnaire_submit", args=["org-a", rita.assessment_id])
    response = client.post(url)
    assert response.status_code == 302 and response.url == url
    assert _refresh(rita).submitted_at is not None
    save = reverse("questionnaire_save", args=["org-a", rita.assessment_id])
    locked = client.post(save, {"question": "AL-01", "value": "3", "ts": "5"})
    assert locked.status_code == 409


@pytest.mark.django_db
def test_revoked_link_gets_a_clear_page_also_in_an_open_browser(client, personas, rita):
    start(client, rita)
    old = link_path(rita)
    with scope(organisation=personas.org_a):
        engagement.revoke_link(respondent=rita)
    response = client.get(old)
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    page = client.get(
        reverse("questionnaire_section", args=["org-a", rita.assessment_id, "alignment"])
    )
    assert page.status_code == 410 and b"withdrawn" in page.content
    save = reverse("questionnaire_save", args=["org-a", rita.assessment_id])
    assert client.post(save, {"question": "AL-01", "value": "3", "ts": "5"}).status_code == 404


@pytest.mark.django_db
def test_started_link_after_deadline_stops_answers(client, personas, rita):
    start(client, rita)
    personas.assessment.deadline = timezone.localdate() - timedelta(days=1)
    personas.assessment.save()
    url = reverse("questionnaire_section", args=["org-a", rita.assessment_id, "alignment"])
    page = client.get(url)
    assert page.status_code == 410 and b"deadline" in page.content
    save = reverse("questionnaire_save", args=["org-a", rita.assessment_id])
    assert client.post(save, {"question": "AL-01", "value": "3", "ts": "5"}).status_code == 409
    with scopes_disabled():
        assert not Answer.objects.filter(respondent=rita).exists()


@pytest.mark.django_db
def test_link_after_deadline_or_close_gets_a_clear_page(client, personas, rita):
    assessment = personas.assessment
    assessment.deadline = timezone.localdate() - timedelta(days=1)
    assessment.save()
    response = client.get(link_path(rita))
    assert response.status_code == 410 and b"deadline" in response.content
    assessment.deadline = None
    assessment.status = "closed"
    assessment.save()
    assert client.post(link_path(rita)).status_code == 410


@pytest.mark.django_db
def test_expired_or_broken_token_gets_a_clear_page(client, rita, settings):
    path = link_path(rita)
    broken = path[:-4] + "AAAA"
    response = client.get(broken)
    assert response.status_code == 404
    assert b"has expired" in response.content
    no_token = path.split("?")[0]
    assert client.get(no_token).status_code == 404


@pytest.mark.django_db
def test_optout_get_asks_and_post_opts_out(client, rita):
    response = client.get(optout_path(rita))
    assert response.status_code == 200 and b'id="optout"' in response.content
    assert _refresh(rita).reminders_opt_out is False
    response = client.post(optout_path(rita))
    assert b'id="optout-done"' in response.content
    assert _refresh(rita).reminders_opt_out is True


@pytest.mark.django_db
def test_link_token_does_not_opt_out(client, rita):
    # Scopes keep the two tokens apart: the questionnaire link cannot opt out, and back.
    path = link_path(rita).replace(f"/r/{rita.pk}/", f"/r/{rita.pk}/opt-out/")
    assert client.post(path).status_code == 404
    assert _refresh(rita).reminders_opt_out is False


@pytest.mark.django_db
def test_member_signed_in_keeps_working(client, personas):
    client.force_login(personas.users["respondent"])
    url = reverse("questionnaire_save", args=["org-a", personas.assessment.pk])
    response = client.post(url, {"question": "AL-01", "value": "2", "ts": "10"})
    assert response.json()["ok"] is True
    with scopes_disabled():
        assert Respondent.objects.get(pk=personas.respondent.pk).answers.count() == 1


def _matrix():
    from tests.test_permissions import MATRIX

    return MATRIX


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(_matrix()))
def test_personal_link_session_across_the_permission_matrix(client, personas, name):
    """Every URL of the app, asked by a browser that started a personal link: its own
    questionnaire opens, every other organisation page is 403, and the rest behaves as for
    an anonymous visitor (account pages send it to sign in)."""
    from tests.matrix import LOGIN

    rita = add_link_respondent(personas.assessment)
    personas.link_respondent = rita  # the engagement rows use this one
    row = _matrix()[name]
    start(client, rita)  # before the row's set-up, which may close the assessment
    kwargs = row.kwargs(personas) if row.kwargs else None
    data = row.data(personas) if row.data else {}
    response = getattr(client, row.method)(reverse(name, kwargs=kwargs), data)
    if name in engagement.LINK_URL_NAMES:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/questionnaire/" in response.url
    elif name in engagement.PUBLIC_ORG_URL_NAMES:
        assert response.status_code == row.expected["anonymous"]
    elif kwargs and "org_slug" in kwargs:
        assert response.status_code == 403
    elif row.expected["anonymous"] == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == row.expected["anonymous"]
