"""The report box on the results page, asking for a PDF, polling its state, downloading it,
and the export downloads."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from assessments import services as assessment_services
from reports import services
from reports.models import RenderStatus, ReportRender
from tests.factories import AssessmentFactory

from .conftest import answer_all


def urls(personas, **extra):
    kwargs = {"org_slug": "org-a", "pk": personas.assessment.pk, **extra}
    return kwargs


@pytest.fixture
def viewer(client, personas):
    # Messages are checked in English; German is the site's default language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(personas.users["viewer"])
    return client


def finished(personas, snapshot, lang="en"):
    with scope(organisation=personas.org_a):
        return ReportRender.objects.create(
            snapshot=snapshot, lang=lang, status=RenderStatus.DONE, pdf=b"%PDF-1.7 done"
        )


@pytest.mark.django_db
def test_report_request_queues_render_and_redirects_to_report_page(viewer, personas, snapshot):
    response = viewer.post(reverse("report_request", kwargs=urls(personas)), {"lang": "de"})
    assert response.status_code == 302
    # Without JS the report page shows the render's state (and "Check again").
    assert response.url == reverse("report_status", kwargs=urls(personas))
    with scope(organisation=personas.org_a):
        render = ReportRender.objects.get()
    assert (render.lang, render.status, render.answers) == ("de", RenderStatus.QUEUED, False)
    assert render.requested_by == personas.users["viewer"]


@pytest.mark.django_db
def test_report_request_htmx_returns_polling_status(viewer, personas, snapshot):
    response = viewer.post(
        reverse("report_request", kwargs=urls(personas)),
        {"lang": "en", "answers": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="report-status"')
    assert 'hx-trigger="every 2s"' in body
    assert "being prepared" in body
    assert reverse("report_status", kwargs=urls(personas)) in body


@pytest.mark.django_db
def test_report_request_without_language_uses_readers_language(viewer, personas, snapshot):
    viewer.post(reverse("report_request", kwargs=urls(personas)), HTTP_ACCEPT_LANGUAGE="en")
    with scope(organisation=personas.org_a):
        assert ReportRender.objects.get().lang == "en"


@pytest.mark.django_db
def test_report_request_bad_language_creates_nothing(viewer, personas, snapshot):
    response = viewer.post(
        reverse("report_request", kwargs=urls(personas)), {"lang": "fr"}, follow=True
    )
    assert "Please choose German or English" in response.content.decode()
    with scope(organisation=personas.org_a):
        assert not ReportRender.objects.exists()


@pytest.mark.django_db
def test_report_request_without_snapshot_explains(viewer, personas):
    response = viewer.post(
        reverse("report_request", kwargs=urls(personas)), {"lang": "en"}, follow=True
    )
    assert response.status_code == 200
    assert "There is no result to report yet" in response.content.decode()


@pytest.mark.django_db
def test_report_request_done_render_is_reused_not_queued(
    viewer, personas, snapshot, django_capture_on_commit_callbacks
):
    done = finished(personas, snapshot)
    with django_capture_on_commit_callbacks() as callbacks:
        response = viewer.post(
            reverse("report_request", kwargs=urls(personas)),
            {"lang": "en"},
            HTTP_HX_REQUEST="true",
        )
    assert callbacks == []  # nothing enqueued
    body = response.content.decode()
    assert reverse("report_download", kwargs=urls(personas, render_pk=done.pk)) in body
    assert "hx-trigger" not in body  # nothing to wait for


@pytest.mark.django_db
def test_report_request_failed_render_is_queued_again(personas, snapshot):
    with scope(organisation=personas.org_a):
        render = ReportRender.objects.create(
            snapshot=snapshot, lang="en", status=RenderStatus.FAILED, error="boom"
        )
        again, queued = services.request_report(snapshot=snapshot, lang="en")
    assert queued
    assert again.pk == render.pk
    assert (again.status, again.error) == (RenderStatus.QUEUED, "")


@pytest.mark.django_db
def test_report_status_shows_failure_message(viewer, personas, snapshot):
    with scope(organisation=personas.org_a):
        ReportRender.objects.create(
            snapshot=snapshot,
            lang="de",
            status=RenderStatus.FAILED,
            error="Chromium is needed to draw the charts: apt-get install chromium",
        )
    response = viewer.get(reverse("report_status", kwargs=urls(personas)))
    assert response.status_code == 200
    assert "apt-get install chromium" in response.content.decode()


@pytest.mark.django_db
def test_report_status_partial_queries_do_not_grow_with_renders(
    viewer, personas, snapshot, django_assert_num_queries
):
    url = reverse("report_status", kwargs=urls(personas))
    finished(personas, snapshot, "en")
    with CaptureQueriesContext(connection) as one:
        viewer.get(url, HTTP_HX_REQUEST="true")
    renders = [q for q in one.captured_queries if "reports_reportrender" in q["sql"]]
    assert len(renders) == 1
    finished(personas, snapshot, "de")
    with django_assert_num_queries(len(one)):
        viewer.get(url, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_results_page_loads_report_box_with_htmx_and_links_it_without_js(
    viewer, personas, snapshot
):
    body = viewer.get(reverse("results", kwargs=urls(personas))).content.decode()
    assert f'hx-get="{reverse("report_box", kwargs=urls(personas))}"' in body
    assert f'href="{reverse("report_status", kwargs=urls(personas))}"' in body
    assert "Prepare PDF report" not in body  # the results page computes no report state


@pytest.mark.django_db
def test_report_box_costs_one_query_for_the_renders(viewer, personas, snapshot):
    url = reverse("report_box", kwargs=urls(personas))
    with CaptureQueriesContext(connection) as without_renders:
        viewer.get(url, HTTP_HX_REQUEST="true")
    finished(personas, snapshot, "en")
    finished(personas, snapshot, "de")
    with CaptureQueriesContext(connection) as with_renders:
        response = viewer.get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="report-actions')
    assert "Prepare PDF report" in body
    assert body.count("/report/") >= 3  # form, two downloads
    assert len(with_renders) == len(without_renders)
    render_queries = [
        q for q in with_renders.captured_queries if "reports_reportrender" in q["sql"]
    ]
    assert len(render_queries) == 1
    assert "pdf" not in render_queries[0]["sql"].split("FROM")[0].lower().replace("reports_", "")


@pytest.mark.django_db
def test_report_page_without_js_has_the_form_downloads_and_exports(viewer, personas, snapshot):
    done = finished(personas, snapshot, "en")
    body = viewer.get(reverse("report_status", kwargs=urls(personas))).content.decode()
    assert "Prepare PDF report" in body
    assert f'action="{reverse("report_request", kwargs=urls(personas))}"' in body
    assert reverse("report_download", kwargs=urls(personas, render_pk=done.pk)) in body
    assert reverse("report_export", kwargs=urls(personas, kind="answers", fmt="csv")) in body


@pytest.mark.django_db
def test_results_page_without_snapshot_has_no_report_box(viewer, personas):
    response = viewer.get(reverse("results", kwargs=urls(personas)))
    body = response.content.decode()
    assert "Prepare PDF report" not in body
    assert reverse("report_box", kwargs=urls(personas)) not in body
    box = viewer.get(reverse("report_box", kwargs=urls(personas)), HTTP_HX_REQUEST="true")
    assert box.status_code == 200 and "Prepare PDF report" not in box.content.decode()


@pytest.mark.django_db
def test_report_download_sends_pdf_attachment(viewer, personas, snapshot):
    render = finished(personas, snapshot)
    response = viewer.get(reverse("report_download", kwargs=urls(personas, render_pk=render.pk)))
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 done"
    assert response["Content-Disposition"] == (
        f'attachment; filename="org-a-{personas.assessment.pk}-report-en.pdf"'
    )


@pytest.mark.django_db
def test_report_download_not_ready_redirects_with_message(viewer, personas, snapshot):
    with scope(organisation=personas.org_a):
        render, _queued = services.request_report(snapshot=snapshot, lang="en")
    response = viewer.get(
        reverse("report_download", kwargs=urls(personas, render_pk=render.pk)), follow=True
    )
    assert "This report is not ready yet." in response.content.decode()


@pytest.mark.django_db
def test_report_download_of_another_assessment_is_not_found(viewer, personas, snapshot, questions):
    """A render id of another organisation, asked for through A's assessment: 404."""
    with scope(organisation=personas.org_b):
        other = AssessmentFactory(
            organisation=personas.org_b, catalogue=personas.assessment.catalogue
        )
        other_snapshot = answer_all(other, questions, ["it"])
        foreign = ReportRender.objects.create(
            snapshot=other_snapshot, lang="en", status=RenderStatus.DONE, pdf=b"%PDF secret"
        )
    response = viewer.get(reverse("report_download", kwargs=urls(personas, render_pk=foreign.pk)))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["report_request", "report_status", "report_box", "report_download", "report_export"]
)
def test_reports_urls_of_another_organisation_are_not_found(client, personas, snapshot, name):
    render = finished(personas, snapshot)
    kwargs = {"org_slug": "org-b", "pk": personas.assessment.pk}
    if name == "report_download":
        kwargs["render_pk"] = render.pk
    if name == "report_export":
        kwargs.update(kind="answers", fmt="csv")
    client.force_login(personas.users["outsider"])
    method = client.post if name == "report_request" else client.get
    response = method(reverse(name, kwargs=kwargs), {"lang": "en"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_report_export_csv_download(viewer, personas, snapshot):
    response = viewer.get(
        reverse("report_export", kwargs=urls(personas, kind="answers", fmt="csv")) + "?lang=de"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    assert f"org-a-{personas.assessment.pk}-answers-de.csv" in response["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "fmt"), [("answers", "json"), ("snapshot", "csv"), ("x", "y")])
def test_report_export_unknown_kind_is_not_found(viewer, personas, snapshot, kind, fmt):
    response = viewer.get(reverse("report_export", kwargs=urls(personas, kind=kind, fmt=fmt)))
    assert response.status_code == 404


@pytest.mark.django_db
def test_report_export_bad_language_explains(viewer, personas, snapshot):
    url = reverse("report_export", kwargs=urls(personas, kind="sections", fmt="csv"))
    response = viewer.get(url + "?lang=xx", follow=True)
    assert "Please choose German or English for the export." in response.content.decode()


@pytest.mark.django_db
def test_report_export_without_snapshot_explains(viewer, personas):
    url = reverse("report_export", kwargs=urls(personas, kind="snapshot", fmt="json"))
    response = viewer.get(url, follow=True)
    assert "There is no result to export yet" in response.content.decode()


@pytest.mark.django_db
def test_reclosing_replaces_renders_with_the_snapshot(personas, snapshot):
    finished(personas, snapshot)
    with scope(organisation=personas.org_a):
        assessment_services.reopen_assessment(assessment=personas.assessment)
        assessment_services.close_assessment(assessment=personas.assessment)
        assert not ReportRender.objects.exists()
