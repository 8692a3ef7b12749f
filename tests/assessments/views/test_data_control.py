import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment, AuditEvent, AuditKind, Organisation

from ..answered import add_member_respondent, answer_all, close

pytestmark = pytest.mark.django_db


def url(name, personas, **extra):
    return reverse(
        name, kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk, **extra}
    )


def test_delete_confirmation_names_what_goes_and_get_deletes_nothing(client, personas, questions):
    answer_all(personas, questions)
    close(personas)
    client.force_login(personas.users["owner"])
    response = client.get(url("assessment_delete", personas), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert f'<span class="metric">{len(questions)}</span> × answers' in html
    assert '<span class="metric">1</span> × respondents' in html
    with scope(organisation=personas.org_a):
        assert Assessment.objects.filter(pk=personas.assessment.pk).exists()


def test_owner_deletes_an_assessment_and_the_log_records_it(client, personas, questions):
    answer_all(personas, questions)
    client.force_login(personas.users["owner"])
    response = client.post(url("assessment_delete", personas))
    assert response.status_code == 302
    assert response.url == reverse("organisation", kwargs={"org_slug": personas.org_a.slug})
    with scopes_disabled():
        assert not Assessment.objects.filter(pk=personas.assessment.pk).exists()
    log = client.get(
        reverse("audit_log", kwargs={"org_slug": personas.org_a.slug}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Assessment deleted" in log and f"<td>{personas.assessment.pk}</td>" in log
    assert "Assessment A" not in log.split("<main")[1]  # the title is not kept


def test_a_consultant_cannot_delete(client, personas):
    client.force_login(personas.users["consultant"])
    assert client.post(url("assessment_delete", personas)).status_code == 403
    with scope(organisation=personas.org_a):
        assert Assessment.objects.filter(pk=personas.assessment.pk).exists()


def test_owner_erases_one_respondent(client, personas, questions):
    answer_all(personas, questions)
    other = add_member_respondent(personas, questions)
    client.force_login(personas.users["owner"])
    erase = url("respondent_erase", personas, respondent_pk=personas.respondent.pk)
    confirm = client.get(erase, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{len(questions)} answers" in confirm
    response = client.post(erase)
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        assert list(personas.assessment.respondents.all()) == [other]
        event = AuditEvent.objects.get()
    assert event.kind == AuditKind.RESPONDENT_ERASED and event.actor == personas.users["owner"]


def test_erasing_a_respondent_of_another_assessment_is_not_found(client, personas, questions):
    with scope(organisation=personas.org_b):
        foreign = personas.assessment_b.respondents.create(perspective="it")
    client.force_login(personas.users["owner"])
    response = client.post(url("respondent_erase", personas, respondent_pk=foreign.pk))
    assert response.status_code == 404
    with scopes_disabled():
        assert personas.assessment_b.respondents.filter(pk=foreign.pk).exists()


def test_retention_is_set_on_the_organisation_settings_form(client, personas):
    client.force_login(personas.users["owner"])
    edit = reverse("organisation_edit", kwargs={"org_slug": personas.org_a.slug})
    data = {"name": "Organisation A", "industry": "", "size_band": "medium", "country": "DE"}
    assert client.post(edit, {**data, "retention_months": "24"}).status_code == 302
    with scopes_disabled():
        assert Organisation.objects.get(pk=personas.org_a.pk).retention_months == 24
    bad = client.post(edit, {**data, "retention_months": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "greater than or equal to 1" in bad.content.decode()
    assert client.post(edit, {**data, "retention_months": ""}).status_code == 302
    with scopes_disabled():
        assert Organisation.objects.get(pk=personas.org_a.pk).retention_months is None
