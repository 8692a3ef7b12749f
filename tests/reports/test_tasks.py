"""The background render: the task stores the PDF or a message the person can act on, and
the whole path request → db_worker → download works."""

import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from assessments import services as assessment_services
from assessments.models import ResultSnapshot
from reports import services, svg
from reports.models import ChartSVG, RenderStatus, ReportRender
from reports.tasks import prepare_charts_task, render_report_task


@pytest.mark.django_db
def test_render_report_task_stores_pdf(personas, snapshot, fake_svg):
    with scope(organisation=personas.org_a):
        render, _queued = services.request_report(snapshot=snapshot, lang="en")
    assert render_report_task.call(render.pk) == "done"
    with scope(organisation=personas.org_a):
        render.refresh_from_db()
    assert render.status == RenderStatus.DONE
    assert bytes(render.pdf).startswith(b"%PDF-")
    assert render.finished_at is not None
    assert render.error == ""


@pytest.mark.django_db
def test_render_report_task_without_chromium_stores_message(
    personas, snapshot, settings, monkeypatch
):
    settings.BROWSER_PATH = "/nonexistent/chromium"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(svg, "_browser", None)
    with scope(organisation=personas.org_a):
        render, _queued = services.request_report(snapshot=snapshot, lang="en")
    assert render_report_task.call(render.pk) == "failed"
    with scope(organisation=personas.org_a):
        render.refresh_from_db()
    assert render.status == RenderStatus.FAILED
    assert render.error == "Chromium is needed to draw the charts: apt-get install chromium"
    assert render.pdf is None


@pytest.mark.django_db
def test_render_report_task_missing_render_returns_gone():
    assert render_report_task.call(999999) == "gone"


# transaction=True: the worker closes connections that sit in a transaction (PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_report_request_runs_in_db_worker_and_downloads(
    client, personas, snapshot, fake_svg, django_capture_on_commit_callbacks
):
    client.force_login(personas.users["viewer"])
    kwargs = {"org_slug": "org-a", "pk": personas.assessment.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_request", kwargs=kwargs), {"lang": "de"})
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        render = ReportRender.objects.get()
    assert render.status == RenderStatus.QUEUED
    assert render.task_id
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    with scope(organisation=personas.org_a):
        render.refresh_from_db()
    assert render.status == RenderStatus.DONE
    response = client.get(reverse("report_download", kwargs={**kwargs, "render_pk": render.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_render_report_task_snapshot_replaced_meanwhile_is_gone(
    personas, snapshot, fake_svg, monkeypatch
):
    from reports import pdf

    def replace_snapshot(**kwargs):
        # What a re-close in another process does to the old snapshot.
        ResultSnapshot.objects.filter(pk=kwargs["snapshot"].pk).delete()
        return b"%PDF-1.7 stale"

    monkeypatch.setattr(pdf, "render_pdf", replace_snapshot)
    with scope(organisation=personas.org_a):
        render, _queued = services.request_report(snapshot=snapshot, lang="en")
        render_pk = render.pk
    assert render_report_task.call(render_pk) == "gone"
    with scope(organisation=personas.org_a):
        assert not ReportRender.objects.filter(pk=render_pk).exists()


@pytest.mark.django_db
def test_prepare_charts_task_exports_both_languages_before_any_download(
    personas, snapshot, fake_svg
):
    assert prepare_charts_task.call(snapshot.pk) == "done"
    with scope(organisation=personas.org_a):
        stored = set(ChartSVG.objects.filter(snapshot=snapshot).values_list("lang", "name"))
        render, _queued = services.request_report(snapshot=snapshot, lang="de")
    assert {lang for lang, _name in stored} == {"de", "en"}
    exported = len(fake_svg)
    assert exported >= 2 * 4  # ladder, radar, coverage, gap in both languages
    assert render_report_task.call(render.pk) == "done"
    assert len(fake_svg) == exported  # the download exported nothing more


@pytest.mark.django_db
def test_changed_result_drops_its_stale_pdf_and_charts_and_queues_new_charts(
    personas, snapshot, fake_svg, django_capture_on_commit_callbacks
):
    with scope(organisation=personas.org_a):
        render, _queued = services.request_report(snapshot=snapshot, lang="en")
    assert render_report_task.call(render.pk) == "done"
    with scope(organisation=personas.org_a):
        assert ChartSVG.objects.filter(snapshot=snapshot).exists()
        # Stored by method 1 (update() sends no signal), as every result before method 2.
        ResultSnapshot.objects.filter(pk=snapshot.pk).update(method=1)
        with django_capture_on_commit_callbacks(execute=True):
            # A recompute stores a new result in the same snapshot.
            assessment_services.recompute_result(assessment=snapshot.assessment)
        assert not ReportRender.objects.filter(snapshot=snapshot).exists()
        assert not ChartSVG.objects.filter(snapshot=snapshot).exists()
    queued = DBTaskResult.objects.filter(task_path="reports.tasks.prepare_charts_task")
    assert queued.count() >= 1
    assert prepare_charts_task.call(snapshot.pk) == "done"
    with scope(organisation=personas.org_a):
        assert ChartSVG.objects.filter(snapshot=snapshot, lang="de").exists()


@pytest.mark.django_db
def test_prepare_charts_task_of_a_removed_result_is_gone():
    assert prepare_charts_task.call(999999) == "gone"
