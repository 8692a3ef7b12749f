"""Writes of the reports app: asking for a report, caching chart SVGs, rendering a queued
report and storing its outcome. Callers are inside the organisation's scope.

The render pipeline points one way: tasks (the worker's entry point) → services (this
module: charts from the cache or exported, the outcome stored) → pdf (pure rendering)."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from assessments.models import ResultSnapshot

from . import pdf, selectors, svg
from .models import ChartSVG, RenderStatus, ReportLanguage, ReportRender

logger = logging.getLogger(__name__)

# A render still "queued" or "running" after this long lost its worker (a restart, a
# crash): asking again re-enqueues it instead of waiting forever.
STALE_AFTER = timedelta(minutes=10)


def request_report(
    *, snapshot: ResultSnapshot, lang: str, answers: bool = False, user=None
) -> tuple[ReportRender, bool]:
    """Ask for the PDF of a snapshot: (render, whether the worker must be told). A finished
    or pending render is reused as it is; a failed or stale one is queued again; otherwise a
    new render is queued. Enqueueing the task is the caller's (tasks.queue_report)."""
    with transaction.atomic():
        render = (
            ReportRender.objects.select_for_update()
            .defer("pdf")
            .filter(snapshot=snapshot, lang=lang, answers=answers)
            .first()
        )
        if render is not None:
            if render.status == RenderStatus.DONE:
                return render, False
            stale = render.created_at < timezone.now() - STALE_AFTER
            if render.is_pending and not stale:
                return render, False
            render.status = RenderStatus.QUEUED
            render.error = ""
            render.created_at = timezone.now()
            render.finished_at = None
            render.requested_by = user
            render.save(
                update_fields=["status", "error", "created_at", "finished_at", "requested_by"]
            )
        else:
            try:
                with transaction.atomic():
                    render = ReportRender.objects.create(
                        snapshot=snapshot, lang=lang, answers=answers, requested_by=user
                    )
            except IntegrityError:
                # Someone asked for the same report at the same moment: theirs counts.
                return ReportRender.objects.defer("pdf").get(
                    snapshot=snapshot, lang=lang, answers=answers
                ), False
    return render, True


def set_task_id(*, render_id: int, task_id: str) -> None:
    ReportRender.objects.filter(pk=render_id).update(task_id=task_id[:64])


def chart_svgs(*, snapshot: ResultSnapshot, lang: str, figures: dict) -> dict[str, str]:
    """SVGs of the report's charts: read from the cache, and only the missing ones exported
    (then stored), so a second report of the same snapshot and language exports nothing.

    ``figures``: name → (figure factory, width); a factory returning None means "no chart".
    """
    cached = selectors.cached_svgs(snapshot=snapshot, lang=lang)
    missing = [name for name in figures if name not in cached]
    created = []
    for name in missing:
        factory, width = figures[name]
        figure = factory()
        if figure is None:
            continue
        # Simplified once here, so that every render of the cached chart draws less.
        text = svg.simplify_svg(svg.figure_to_svg(figure, width=width))
        cached[name] = text
        created.append(ChartSVG(snapshot=snapshot, lang=lang, name=name, svg=text))
    if created:
        # Two renders of one snapshot may race here; the first one's SVGs win, and both
        # are the same drawing.
        ChartSVG.objects.bulk_create(created, ignore_conflicts=True)
    return cached


def forget_outputs(*, snapshot_id: int) -> None:
    """A stored result changed (a new close, a recompute, an erasure): its PDFs and chart
    SVGs show the old figures, so they go, and the next report is made from the new one."""
    with scopes_disabled():  # filtered by the snapshot itself
        ChartSVG.objects.filter(snapshot_id=snapshot_id).delete()
        ReportRender.objects.filter(snapshot_id=snapshot_id).delete()


def prepare_charts(*, snapshot: ResultSnapshot) -> int:
    """Export the report's charts in both languages ahead of the first download, so that a
    click on "PDF" waits for the layout only. Returns the number of charts in the cache."""
    count = 0
    for lang in ReportLanguage.values:
        with translation.override(lang):
            svgs = chart_svgs(
                snapshot=snapshot, lang=lang, figures=pdf.chart_factories(snapshot=snapshot)
            )
        count += len(svgs)
    return count


def report_pdf(*, snapshot: ResultSnapshot, lang: str, answers: bool = False) -> bytes:
    """The PDF of a snapshot: its charts from the cache (the missing ones exported and
    stored), then laid out by pdf.render_pdf. Raises svg.ChromiumMissing/ExportFailed."""
    with translation.override(lang):
        svgs = chart_svgs(
            snapshot=snapshot, lang=lang, figures=pdf.chart_factories(snapshot=snapshot)
        )
    return pdf.render_pdf(snapshot=snapshot, lang=lang, answers=answers, svgs=svgs)


def run_render(*, render: ReportRender) -> str:
    """Render one queued report and store the PDF or a message for the person who asked.
    "gone" when the snapshot was replaced by a new close meanwhile (its renders with it)."""
    if render.status == RenderStatus.DONE:
        return "done"
    if not mark_running(render=render):
        return "gone"
    try:
        data = report_pdf(snapshot=render.snapshot, lang=render.lang, answers=render.answers)
    except (svg.ChromiumMissing, svg.ExportFailed) as error:
        stored = store_failure(render=render, error=str(error))
        return "failed" if stored else "gone"
    except Exception as error:
        logger.exception("Report %s failed", render.pk)
        stored = store_failure(render=render, error=f"{type(error).__name__}: {error}")
        return "failed" if stored else "gone"
    return "done" if store_pdf(render=render, pdf=data) else "gone"


def _update(render: ReportRender, **fields) -> bool:
    """Write a render's state; False when the render no longer exists (its snapshot was
    replaced by a new close while the worker rendered)."""
    for name, value in fields.items():
        setattr(render, name, value)
    return ReportRender.objects.filter(pk=render.pk).update(**fields) == 1


def mark_running(*, render: ReportRender) -> bool:
    return _update(render, status=RenderStatus.RUNNING)


def store_pdf(*, render: ReportRender, pdf: bytes) -> bool:
    return _update(render, pdf=pdf, status=RenderStatus.DONE, error="", finished_at=timezone.now())


def store_failure(*, render: ReportRender, error: str) -> bool:
    return _update(render, status=RenderStatus.FAILED, error=error, finished_at=timezone.now())
