"""Deleting on purpose: an assessment with everything derived from it, one respondent's
data (GDPR Art. 17), the audit log of both. Owners only; every deletion is confirmed on a
page that names what goes, and a GET never deletes."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import data_control, plans
from ..models import AuditEvent, Respondent
from ..tenancy import org_view
from .assessments import get_assessment


@org_view("control_data")
def assessment_data(request, pk):
    """The owner's data page of an assessment: its respondents, each with "erase", and
    "delete the assessment"."""
    assessment = get_assessment(request, pk)
    respondents = assessment.respondents.select_related("user").order_by("id")
    return render(
        request,
        "assessments/data/assessment_data.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondents": respondents,
        },
    )


@require_http_methods(["GET", "POST"])
@org_view("control_data")
def assessment_delete(request, pk):
    assessment = get_assessment(request, pk)
    if request.method == "POST":
        data_control.delete_assessment(assessment=assessment, actor=request.user)
        messages.success(
            request, _("The assessment and everything derived from it have been deleted.")
        )
        return redirect("organisation", org_slug=request.organisation.slug)
    return render(
        request,
        "assessments/data/assessment_delete.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "counts": data_control.deletion_counts(assessment=assessment),
            "plan_links": assessment.plan_items.count(),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view("control_data")
def respondent_erase(request, pk, respondent_pk):
    assessment = get_assessment(request, pk)
    respondent = get_object_or_404(
        Respondent.objects.select_related("user"), pk=respondent_pk, assessment=assessment
    )
    if request.method == "POST":
        data_control.erase_respondent(respondent=respondent, actor=request.user)
        messages.success(request, _("The respondent's answers and personal data were erased."))
        return redirect("assessment_data", org_slug=request.organisation.slug, pk=assessment.pk)
    return render(
        request,
        "assessments/data/respondent_erase.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondent": respondent,
            "answer_count": respondent.answers.count(),
            "has_snapshot": hasattr(assessment, "snapshot"),
        },
    )


@org_view("control_data")
def audit_log(request):
    events = AuditEvent.objects.filter(organisation=request.organisation).select_related("actor")[
        :200
    ]
    return render(
        request,
        "assessments/data/audit_log.html",
        {"organisation": request.organisation, "events": events},
    )


@require_http_methods(["GET", "POST"])
@org_view("manage_assessments")
def assessment_next(request, pk):
    """ "Start the next assessment": the same people, target and title pattern; the plan
    carries over by itself."""
    assessment = get_assessment(request, pk)
    if request.method == "POST":
        new = plans.start_next_assessment(assessment=assessment, created_by=request.user)
        messages.success(
            request,
            _("“%(title)s” created with the same respondents and target. Check it and go.")
            % {"title": new.title},
        )
        return redirect("assessment", org_slug=request.organisation.slug, pk=new.pk)
    return render(
        request,
        "assessments/plan/next.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "next_title": plans.next_title(assessment.title),
            "respondent_count": assessment.respondents.filter(user__isnull=False).count(),
            "open_items": sum(
                1 for i in plans.plan_items(organisation=request.organisation) if i.is_active
            ),
        },
    )
