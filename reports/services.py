"""Writes of the reports app: asking for a report, caching chart SVGs, storing a render's
outcome. Callers are inside the organisation's scope."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope

from assessments.models import ResultSnapshot

from . import selectors, svg
from .models import ChartSVG, RenderStatus, ReportRender

logger = logging.getLogger(__name__)

# A render still "queued" or "running" after this long lost its worker (a restart, a
# crash): asking again re-enqueues it instead of waiting forever.
STALE_AFTER = timedelta(minutes=10)


def request_report(
    *, snapshot: ResultSnapshot, lang: str, answers: bool = False, user=None
) -> ReportRender:
    """Ask for the PDF of a snapshot. A finished render is reused as it is; a failed or
    stale one is queued again; otherwise a new render is queued for the task worker."""
    with transaction.atomic():
        render = (
            ReportRender.objects.select_for_update()
            .defer("pdf")
            .filter(snapshot=snapshot, lang=lang, answers=answers)
            .first()
        )
        if render is not None:
            if render.status == RenderStatus.DONE:
                return render
            stale = render.created_at < timezone.now() - STALE_AFTER
            if render.is_pending and not stale:
                return render
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
                )
        # The worker must find the committed row: enqueue after the commit.
        render_id, organisation = render.pk, snapshot.assessment.organisation
        transaction.on_commit(lambda: _enqueue(render_id, organisation))
    return render


def _enqueue(render_id: int, organisation) -> None:
    from .tasks import render_report_task

    result = render_report_task.enqueue(render_id)
    # on_commit callbacks may run after the view's scope has closed: open it again.
    with scope(organisation=organisation):
        ReportRender.objects.filter(pk=render_id).update(task_id=str(result.id)[:64])


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
