import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from assessments import narrative, plans, selectors
from assessments.models import Assessment, PlanItem, PlanStatus

from ...factories import PlanItemFactory
from ..answered import answer_all, close

pytestmark = pytest.mark.django_db


def plan_url(personas):
    return reverse("plan", kwargs={"org_slug": personas.org_a.slug})


def results_url(personas, assessment=None):
    pk = (assessment or personas.assessment).pk
    return reverse("results", kwargs={"org_slug": personas.org_a.slug, "pk": pk})


def make_items(personas, count):
    with scope(organisation=personas.org_a):
        return [
            PlanItemFactory(
                organisation=personas.org_a,
                owner=personas.users["consultant"],
                question_codes=["IN-01"],
                assessment=personas.assessment,
            )
            for _ in range(count)
        ]


def test_plan_page_lists_who_what_when_status(client, personas):
    with scope(organisation=personas.org_a):
        PlanItemFactory(
            organisation=personas.org_a,
            title="Mixed teams for the claims process",
            owner_name="Extern GmbH",
            due_date=datetime.date(2027, 3, 31),
            status=PlanStatus.IN_PROGRESS,
        )
    client.force_login(personas.users["viewer"])
    html = client.get(plan_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mixed teams for the claims process" in html
    assert "Extern GmbH" in html and "03/31/2027" in html and "In progress" in html
    assert "Add an action" not in html  # a viewer reads, does not change


def test_plan_page_queries_do_not_grow_with_the_items(client, personas, django_assert_num_queries):
    make_items(personas, 1)
    client.force_login(personas.users["owner"])
    client.get(plan_url(personas))
    make_items(personas, 20)
    with django_assert_num_queries(4):  # session, user, membership, plan
        response = client.get(plan_url(personas))
    assert response.content.decode().count('data-status="open"') == 21


def test_adding_an_action_from_a_result_prefills_and_links_it(client, personas, questions):
    answer_all(personas, questions)
    close(personas)
    question = next(q for q in questions if q.code == "IN-02")
    client.force_login(personas.users["consultant"])
    url = reverse("plan_item_new", kwargs={"org_slug": personas.org_a.slug})
    query = f"?question=IN-02&assessment={personas.assessment.pk}"
    html = client.get(url + query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert question.text_en in html and 'value="IN-02"' in html
    response = client.post(
        url,
        {
            "assessment": personas.assessment.pk,
            "title": "Shared backlog",
            "question_codes": "in-02, IN-03",
            "owner": personas.users["owner"].pk,
            "owner_name": "",
            "due_date": "2027-01-31",
            "status": "open",
            "note": "",
        },
    )
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        item = PlanItem.objects.get()
    assert item.question_codes == ["IN-02", "IN-03"]
    assert item.assessment == personas.assessment and item.owner == personas.users["owner"]
    assert item.due_date == datetime.date(2027, 1, 31)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"question_codes": "IN-02 XX-77"}, "Unknown question code: XX-77."),
        ({"title": ""}, "This field is required."),
        ({"due_date": "31.02.2027"}, "Enter a valid date."),
        ({"owner_name": "Also a name"}, "Choose a member or type a name, not both."),
        ({"owner": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_plan_input_is_explained_and_saves_nothing(client, personas, changes, error):
    client.force_login(personas.users["owner"])
    data = {
        "title": "Shared backlog",
        "question_codes": "IN-02",
        "owner": personas.users["owner"].pk,
        "owner_name": "",
        "due_date": "",
        "status": "open",
        "note": "",
        **changes,
    }
    url = reverse("plan_item_new", kwargs={"org_slug": personas.org_a.slug})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert error in response.content.decode()
    with scope(organisation=personas.org_a):
        assert not PlanItem.objects.exists()


def test_editing_an_action_keeps_its_origin(client, personas):
    (item,) = make_items(personas, 1)
    client.force_login(personas.users["owner"])
    url = reverse("plan_item_edit", kwargs={"org_slug": personas.org_a.slug, "item_pk": item.pk})
    assert 'value="IN-01"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Renamed",
            "question_codes": "IN-01",
            "owner": "",
            "owner_name": "Kim Weber",
            "due_date": "",
            "status": "done",
            "note": "done in Q1",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.owner, item.owner_name, item.status) == (
        "Renamed",
        None,
        "Kim Weber",
        "done",
    )
    assert item.assessment == personas.assessment


def test_status_change_with_htmx_returns_the_row(client, personas):
    (item,) = make_items(personas, 1)
    client.force_login(personas.users["consultant"])
    url = reverse("plan_item_status", kwargs={"org_slug": personas.org_a.slug, "item_pk": item.pk})
    response = client.post(url, {"status": "in_progress"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="plan-item-{item.pk}" data-status="in_progress"')
    assert "<html" not in html
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_status_change_without_js_redirects_and_bad_status_changes_nothing(client, personas):
    (item,) = make_items(personas, 1)
    client.force_login(personas.users["owner"])
    url = reverse("plan_item_status", kwargs={"org_slug": personas.org_a.slug, "item_pk": item.pk})
    assert client.post(url, {"status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    bad = client.post(url, {"status": "finished"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    item.refresh_from_db()
    assert item.status == "done"


def test_results_page_shows_plan_and_projected_stage(client, personas, questions):
    answer_all(personas, questions)  # stage: alignment; integration at 2
    snapshot = close(personas)
    integration = [q.code for q in questions if q.section.key == "integration"]
    with scope(organisation=personas.org_a):
        item = PlanItemFactory(
            organisation=personas.org_a,
            title="Joint planning",
            question_codes=integration,
            owner=personas.users["consultant"],
        )
        spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
        projected = plans.projected_stage(snapshot=snapshot, spec=spec, items=[item])
    client.force_login(personas.users["owner"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Joint planning" in html
    with translation.override("en"):
        label = narrative.stage_label(projected["index"])
    assert f"the organisation would stand at “{label}” ({projected['position']:.2f})" in html
    assert label == "Integration"
    assert "Start the next assessment" in html


def test_results_page_queries_do_not_grow_with_the_plan(client, personas, questions):
    answer_all(personas, questions)
    close(personas)
    make_items(personas, 1)
    client.force_login(personas.users["owner"])
    client.get(results_url(personas))
    with CaptureQueriesContext(connection) as one_item:
        client.get(results_url(personas))
    make_items(personas, 15)
    with CaptureQueriesContext(connection) as many_items:
        html = client.get(results_url(personas)).content.decode()
    assert html.count('<tr data-status="open">') == 16
    assert len(many_items) == len(one_item)


def test_next_results_page_shows_progress_on_plan_questions(client, personas, questions):
    answer_all(personas, questions)
    close(personas)
    make_items(personas, 1)  # IN-01, from the first assessment
    client.force_login(personas.users["owner"])
    url = reverse(
        "assessment_next", kwargs={"org_slug": personas.org_a.slug, "pk": personas.assessment.pk}
    )
    assert "Assessment A (follow-up)" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(url)
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        new = Assessment.objects.exclude(pk=personas.assessment.pk).get(organisation=personas.org_a)
        respondent = new.respondents.get()
    answer_all(personas, questions, levels={"integration": 4}, respondent=respondent)
    close(personas, assessment=new)
    html = client.get(results_url(personas, new), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="plan-progress"' in html
    assert '<tr data-code="IN-01"><th scope="row" class="fw-semibold">IN-01</th>' in html
    assert '<td class="text-end metric">2.00</td><td class="text-end metric">4.00</td>' in html


def test_results_page_names_the_projected_stage_of_the_open_actions(client, personas, questions):
    answer_all(personas, questions)
    snapshot = close(personas)
    result = snapshot.data["result"]
    low = min(
        (code for code, q in result["questions"].items() if q["value"] is not None),
        key=lambda code: result["questions"][code]["value"],
    )
    with scope(organisation=personas.org_a):
        PlanItemFactory(organisation=personas.org_a, question_codes=[low])
        with translation.override("en"):
            projected = plans.results_plan(assessment=personas.assessment, snapshot=snapshot)
    client.force_login(personas.users["owner"])
    html = client.get(results_url(personas), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    label = projected["plan_projected"]["label"]
    assert label and f"would stand at “{label}”" in html
