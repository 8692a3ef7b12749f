"""Background rendering (django-tasks, database backend, run by ``manage.py db_worker``).

The worker process holds the one kaleido browser (reports/svg.py), so web workers never
start a chromium and a slow render never stalls a page for anyone else. The task is a thin
entry point: it finds the render, opens its organisation's scope and hands it to
services.run_render.
"""

import functools

from django.db import transaction
from django_scopes import scope, scopes_disabled
from django_tasks import task

from assessments.models import ResultSnapshot

from . import services, svg
from .models import ReportRender


@task()
def render_report_task(render_id: int) -> str:
    # Looked up by its global key, then everything else happens inside its organisation.
    with scopes_disabled():
        render = (
            ReportRender.objects.defer("pdf")
            .select_related("snapshot__assessment__organisation", "snapshot__assessment__catalogue")
            .filter(pk=render_id)
            .first()
        )
    if render is None:
        return "gone"  # the snapshot was replaced in the meantime
    with scope(organisation=render.snapshot.assessment.organisation):
        return services.run_render(render=render)


@task()
def prepare_charts_task(snapshot_id: int) -> str:
    """Export a new result's charts before anybody asks for its PDF (queued on every change
    of a stored result, see snapshot_changed)."""
    with scopes_disabled():
        snapshot = (
            ResultSnapshot.objects.select_related(
                "assessment__organisation", "assessment__catalogue"
            )
            .filter(pk=snapshot_id)
            .first()
        )
    if snapshot is None:
        return "gone"
    with scope(organisation=snapshot.assessment.organisation):
        try:
            services.prepare_charts(snapshot=snapshot)
        except (svg.ChromiumMissing, svg.ExportFailed):
            return "failed"  # the PDF's own render tries again and says why
    return "done"


def snapshot_changed(sender, instance, **kwargs) -> None:
    """post_save of ResultSnapshot (connected in ReportsConfig.ready): drop what was made
    from the old figures, and prepare the new charts once the change is committed."""
    services.forget_outputs(snapshot_id=instance.pk)
    transaction.on_commit(functools.partial(prepare_charts_task.enqueue, instance.pk))


def queue_report(
    *, snapshot: ResultSnapshot, lang: str, answers: bool = False, user=None
) -> ReportRender:
    """Ask for a report (services.request_report) and, when it needs rendering, hand it to
    the worker once its row is committed (the worker must find it)."""
    render, needs_worker = services.request_report(
        snapshot=snapshot, lang=lang, answers=answers, user=user
    )
    if needs_worker:
        organisation = snapshot.assessment.organisation
        transaction.on_commit(functools.partial(_enqueue, render.pk, organisation))
    return render


def _enqueue(render_id: int, organisation) -> None:
    result = render_report_task.enqueue(render_id)
    # on_commit callbacks may run after the view's scope has closed: open it again.
    with scope(organisation=organisation):
        services.set_task_id(render_id=render_id, task_id=str(result.id))
