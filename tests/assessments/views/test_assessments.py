import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import services
from assessments.models import Assessment

from ...factories import RespondentFactory

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
        reverse("assessment_close", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk})
    )
    assert response.status_code == 302 and response.url.endswith("/results/")
    with scope(organisation=personas.org_a):
        assert Assessment.objects.get(pk=personas.assessment.pk).snapshot is not None


def test_close_asks_first_and_names_who_has_not_submitted(client, personas, settings):
    settings.LANGUAGE_CODE = "en"
    with scope(organisation=personas.org_a):
        anonymous = RespondentFactory(assessment=personas.assessment, user=None, perspective="it")
        submitted = RespondentFactory(assessment=personas.assessment, perspective="it")
        submitted.submitted_at = timezone.now()
        submitted.save()
    client.force_login(personas.users["owner"])
    kwargs = {"org_slug": "org-a", "pk": personas.assessment.pk}
    url = reverse("assessment_close", kwargs=kwargs)
    detail = client.get(reverse("assessment", kwargs=kwargs)).content.decode()
    assert f'href="{url}"' in detail  # the button leads to the confirmation, no JS needed
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 respondents have not submitted" in html
    assert personas.users["respondent"].get_full_name() in html
    assert "Workshop participant (IT)" in html
    assert submitted.user.get_full_name() not in html
    assert f'<form method="post" action="{url}"' in html
    with scope(organisation=personas.org_a):
        assert Assessment.objects.get(pk=personas.assessment.pk).is_open
        assert anonymous.pk  # still there
    assert client.post(url).status_code == 302
    with scope(organisation=personas.org_a):
        assert not Assessment.objects.get(pk=personas.assessment.pk).is_open


def test_close_confirmation_of_closed_assessment_goes_back(client, personas):
    with scope(organisation=personas.org_a):
        services.close_assessment(assessment=personas.assessment)
    client.force_login(personas.users["owner"])
    kwargs = {"org_slug": "org-a", "pk": personas.assessment.pk}
    response = client.get(reverse("assessment_close", kwargs=kwargs))
    assert response.status_code == 302
    assert response.url == reverse("assessment", kwargs=kwargs)


def test_close_confirmation_query_count_constant_in_respondents(
    client, personas, django_assert_num_queries
):
    client.force_login(personas.users["owner"])
    url = reverse("assessment_close", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    with scope(organisation=personas.org_a):
        RespondentFactory.create_batch(5, assessment=personas.assessment)
        RespondentFactory.create_batch(3, assessment=personas.assessment, user=None)
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("<li>") == 9


def test_create_assessment_double_submit_creates_one(client, personas, catalogue):
    client.force_login(personas.users["consultant"])
    path = reverse("assessment_create", kwargs={"org_slug": "org-a"})
    form = client.get(path).content.decode()
    token = re.search(r'name="creation_token" value="([^"]+)"', form).group(1)
    data = {
        "title": "Doppelklick",
        "catalogue": catalogue.pk,
        "target_stage": "",
        f"perspective_{personas.users['respondent'].pk}": "business",
        "creation_token": token,
    }
    first = client.post(path, data)
    second = client.post(path, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    with scopes_disabled():
        assert Assessment.objects.filter(title="Doppelklick").count() == 1


def test_create_assessment_form_shows_stage_names_and_target_guidance(
    client, personas, catalogue_2026_2
):
    client.force_login(personas.users["consultant"])

    page = client.get(
        reverse("assessment_create", kwargs={"org_slug": "org-a"}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert '<option value="3">Co-Creation</option>' in page
    assert '<option value="4">Fusion / Convergence</option>' in page
    assert "Which target stage fits your business model?" in page
    guidance = {g["stage"]: g["text"]["en"] for g in catalogue_2026_2.target_guidance}
    assert guidance[1].split(":")[0] in page


def test_assessment_detail_shows_target_stage_name(client, personas):
    client.force_login(personas.users["owner"])

    page = client.get(
        reverse("assessment", kwargs={"org_slug": "org-a", "pk": personas.assessment.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "Target stage Co-Creation" in page
