"""Report and export views. All sit behind ``org_view("view_results")``: owner, consultant
and viewer; a respondent-only member gets 403, another organisation 404.

The results page (assessments) knows nothing of reports: it loads the report box from
``report_box`` with htmx, and without JS links to the report page (``report_status``),
which shows the same box. The PDF is never rendered in a web request: a POST queues it for
the task worker, the box polls a small status partial (htmx, every 2 s; without JS a reload
link does the same) and offers the download when the worker has stored it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.selectors import get_assessment
from assessments.tenancy import org_view

from . import exports, selectors, tasks
from .models import RenderStatus, ReportLanguage, ReportRender

LANGS = set(ReportLanguage.values)


def _lang(request, value: str | None) -> str | None:
    """The asked-for language, the reader's language when none is given, None if unknown."""
    if not value:
        value = (getattr(request, "LANGUAGE_CODE", "") or "de")[:2]
    return value if value in LANGS else None


def _results(request, assessment):
    return redirect("results", org_slug=request.organisation.slug, pk=assessment.pk)


def _report_page(request, assessment):
    return redirect("report_status", org_slug=request.organisation.slug, pk=assessment.pk)


def report_state(request, assessment, snapshot) -> dict:
    """What the report box on the results page shows (one query for the renders)."""
    slug = request.organisation.slug
    renders = selectors.renders_for(snapshot=snapshot) if snapshot is not None else []
    rows = [
        {
            "render": r,
            "lang_label": ReportLanguage(r.lang).label,
            "download_url": reverse(
                "report_download", kwargs={"org_slug": slug, "pk": assessment.pk, "render_pk": r.pk}
            )
            if r.status == RenderStatus.DONE
            else None,
        }
        for r in renders
    ]
    return {
        "assessment": assessment,
        "organisation": request.organisation,
        "snapshot": snapshot,
        "renders": rows,
        "pending": any(r.is_pending for r in renders),
        "lang": _lang(request, None),
        "languages": ReportLanguage.choices,
        "status_url": reverse("report_status", kwargs={"org_slug": slug, "pk": assessment.pk}),
    }


@require_POST
@org_view("view_results")
def report_request(request, pk):
    """Queue the PDF (or reuse a finished one) and show its state."""
    assessment = get_assessment(request, pk)
    snapshot = selectors.snapshot_of(assessment=assessment)
    if snapshot is None:
        messages.info(request, _("There is no result to report yet: close the assessment first."))
        return _results(request, assessment)
    lang = _lang(request, request.POST.get("lang"))
    if lang is None:
        messages.error(request, _("Please choose German or English for the report."))
        return _report_page(request, assessment)
    tasks.queue_report(
        snapshot=snapshot,
        lang=lang,
        answers=request.POST.get("answers") == "1",
        user=request.user,
    )
    if request.htmx:
        state = report_state(request, assessment, snapshot)
        return render(request, "reports/_actions.html#report-status", {"report": state})
    # Without JS the report page shows the render's state and its "Check again" link.
    return _report_page(request, assessment)


@org_view("view_results")
def report_status(request, pk):
    """The status list as a partial for htmx polling; for a plain request the report page
    (the report box with its form, the renders and the exports)."""
    assessment = get_assessment(request, pk)
    snapshot = selectors.snapshot_of(assessment=assessment)
    state = report_state(request, assessment, snapshot)
    template = "reports/_actions.html#report-status" if request.htmx else "reports/status.html"
    return render(request, template, {"report": state, "assessment": assessment})


@org_view("view_results")
def report_box(request, pk):
    """The report box, loaded into the results page by htmx."""
    assessment = get_assessment(request, pk)
    snapshot = selectors.snapshot_of(assessment=assessment)
    state = report_state(request, assessment, snapshot)
    return render(request, "reports/_actions.html", {"report": state})


@org_view("view_results")
def report_download(request, pk, render_pk):
    """The finished PDF, from the database (no shared disk between app servers)."""
    assessment = get_assessment(request, pk)
    report = get_object_or_404(
        ReportRender.objects.all(), pk=render_pk, snapshot__assessment=assessment
    )
    if report.status != RenderStatus.DONE or not report.pdf:
        messages.info(request, _("This report is not ready yet."))
        return _report_page(request, assessment)
    filename = f"{request.organisation.slug}-{assessment.pk}-report-{report.lang}.pdf"
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view("view_results")
def report_export(request, pk, kind, fmt):
    """Answers or section results as CSV/XLSX, or the snapshot as JSON."""
    if fmt not in exports.KINDS.get(kind, ()):
        raise Http404
    assessment = get_assessment(request, pk)
    snapshot = selectors.snapshot_of(assessment=assessment)
    if snapshot is None:
        messages.info(request, _("There is no result to export yet: close the assessment first."))
        return _results(request, assessment)
    lang = _lang(request, request.GET.get("lang"))
    if lang is None:
        messages.error(request, _("Please choose German or English for the export."))
        return _report_page(request, assessment)
    export = exports.build_export(snapshot=snapshot, kind=kind, fmt=fmt, lang=lang)
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
