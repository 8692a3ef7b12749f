import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from assessments.models import Assessment

pytestmark = pytest.mark.django_db


def test_create_assessment_with_respondents_and_target(client, personas, catalogue):
    client.force_login(personas.users["consultant"])
    users = personas.users
    response = client.post(
        reverse("assessment_create", kwargs={"org_slug": "org-a"}),
        {
            "title": "Standortbestimmung",
            "catalogue": catalogue.pk,
            "target_stage": "3",
            f"perspective_{users['respondent'].pk}": "business",
            f"perspective_{users['owner'].pk}": "it",
        },
    )
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        created = Assessment.objects.get(title="Standortbestimmung")
        assert created.target_stage == 3
        assert dict(created.respondents.values_list("user__username", "perspective")) == {
            "a-respondent": "business",
            "a-owner": "it",
        }


def test_create_assessment_without_respondents_is_refused(client, personas, catalogue):
    client.force_login(personas.users["owner"])
    response = client.post(
        reverse("assessment_create", kwargs={"org_slug": "org-a"}),
        {"title": "Leer", "catalogue": catalogue.pk, "target_stage": ""},
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert not Assessment.objects.filter(title="Leer").exists()


@pytest.mark.parametrize("target", ["0", "5", "x"])
def test_create_assessment_bad_target_is_refused(client, personas, catalogue, target):
    client.force_login(personas.users["owner"])
    response = client.post(
        reverse("assessment_create", kwargs={"org_slug": "org-a"}),
        {
            "title": "Bad",
            "catalogue": catalogue.pk,
            "target_stage": target,
            f"perspective_{personas.users['owner'].pk}": "it",
        },
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert not Assessment.objects.filter(title="Bad").exists()


def test_respondent_sees_open_questionnaire_on_start_page(client, personas):
    client.force_login(personas.users["respondent"])
    html = client.get(reverse("home")).content.decode()
    assert "Assessment A" in html
    assert (
        reverse("questionnaire", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}) in html
    )


def test_start_page_never_lists_other_organisations(client, personas):
    client.force_login(personas.users["outsider"])
    html = client.get(reverse("home")).content.decode()
    assert "Organisation B" in html and "Organisation A" not in html


def test_close_via_view_stores_snapshot_and_redirects_to_results(client, personas):
    client.force_login(personas.users["owner"])
    response = client.post(
        reverse("assessment_close", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}),
        {"confirmed": "1"},
    )
    assert response.status_code == 302 and response.url.endswith("/results/")
    with scope(organisation=personas.org_a):
        assert Assessment.objects.get(pk=personas.assessment.pk).snapshot is not None
