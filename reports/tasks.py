"""Background rendering (django-tasks, database backend, run by ``manage.py db_worker``).

The worker process holds the one kaleido browser (reports/svg.py), so web workers never
start a chromium and a slow render never stalls a page for anyone else.
"""

import logging

from django_scopes import scope, scopes_disabled
from django_tasks import task

from . import pdf, services, svg
from .models import RenderStatus, ReportRender

logger = logging.getLogger(__name__)


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
        return run_render(render)


def run_render(render: ReportRender) -> str:
    """Render one queued report and store the PDF or a message for the person who asked.
    "gone" when the snapshot was replaced by a new close meanwhile (its renders with it)."""
    if render.status == RenderStatus.DONE:
        return "done"
    if not services.mark_running(render=render):
        return "gone"
    try:
        data = pdf.render_pdf(snapshot=render.snapshot, lang=render.lang, answers=render.answers)
    except (svg.ChromiumMissing, svg.ExportFailed) as error:
        stored = services.store_failure(render=render, error=str(error))
        return "failed" if stored else "gone"
    except Exception as error:
        logger.exception("Report %s failed", render.pk)
        stored = services.store_failure(render=render, error=f"{type(error).__name__}: {error}")
        return "failed" if stored else "gone"
    return "done" if services.store_pdf(render=render, pdf=data) else "gone"
