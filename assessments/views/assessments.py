from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import engagement, selectors, services
from ..catalogue import active_catalogue
from ..forms import AssessmentForm
from ..models import Assessment, Membership
from ..tenancy import org_view


def _memberships(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def get_assessment(request, pk) -> Assessment:
    # Scoped to the URL's organisation: another organisation's id is a 404.
    return get_object_or_404(
        Assessment.objects.select_related("catalogue", "organisation"),
        pk=pk,
        organisation=request.organisation,
    )


@org_view("manage_assessments")
def assessment_create(request):
    memberships = _memberships(request.organisation)
    initial = {"catalogue": active_catalogue()}
    form = AssessmentForm(request.POST or None, memberships=memberships, initial=initial)
    if request.method == "POST" and form.is_valid():
        assessment = services.create_assessment(
            organisation=request.organisation,
            created_by=request.user,
            title=form.cleaned_data["title"],
            catalogue=form.cleaned_data["catalogue"],
            target_stage=form.cleaned_data["target_stage"],
            respondents=form.respondents(),
        )
        messages.success(request, _("Assessment created. Respondents see it on their start page."))
        return redirect("assessment", org_slug=request.organisation.slug, pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_form.html",
        {"form": form, "organisation": request.organisation},
    )


@org_view("manage_assessments")
def assessment_edit(request, pk):
    assessment = get_assessment(request, pk)
    memberships = _memberships(request.organisation)
    current = {
        f"perspective_{r.user_id}": r.perspective
        for r in assessment.respondents.filter(user__isnull=False)
    }
    initial = {"title": assessment.title, "target_stage": assessment.target_stage, **current}
    form = AssessmentForm(
        request.POST or None, memberships=memberships, initial=initial, with_catalogue=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_assessment(
                assessment=assessment,
                title=form.cleaned_data["title"],
                target_stage=form.cleaned_data["target_stage"],
                respondents=form.respondents(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("assessment", org_slug=request.organisation.slug, pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_form.html",
        {"form": form, "organisation": request.organisation, "assessment": assessment},
    )


@org_view()
def assessment_detail(request, pk):
    assessment = get_assessment(request, pk)
    capabilities = request.capabilities
    my_respondent = assessment.respondents.filter(user=request.user).first()
    if "view_results" not in capabilities and my_respondent is None:
        # A respondent who was not asked to answer this one: it does not exist for them.
        raise Http404
    progress = (
        selectors.respondent_progress(assessment=assessment)
        if "manage_assessments" in capabilities
        else []
    )
    total = assessment.catalogue.questions.count()
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "my_respondent": my_respondent,
            "progress": progress,
            "total_questions": total,
            "has_snapshot": hasattr(assessment, "snapshot"),
        },
    )


@require_POST
@org_view("manage_assessments")
def assessment_close(request, pk):
    assessment = get_assessment(request, pk)
    if "confirmed" not in request.POST:
        # Who has not submitted yet is named before their answers stop counting as given.
        waiting = engagement.not_submitted(assessment=assessment)
        if waiting:
            return render(
                request,
                "assessments/respondents/close_confirm.html",
                {
                    "organisation": request.organisation,
                    "assessment": assessment,
                    "waiting": waiting,
                },
            )
    try:
        services.close_assessment(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("assessment", org_slug=request.organisation.slug, pk=assessment.pk)
    messages.success(request, _("Assessment closed. The result has been stored."))
    return redirect("results", org_slug=request.organisation.slug, pk=assessment.pk)


@require_POST
@org_view("manage_assessments")
def assessment_reopen(request, pk):
    assessment = get_assessment(request, pk)
    services.reopen_assessment(assessment=assessment)
    messages.success(
        request,
        _("Assessment reopened. The stored result is replaced when you close it again."),
    )
    return redirect("assessment", org_slug=request.organisation.slug, pk=assessment.pk)
