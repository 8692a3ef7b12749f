import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..catalogue import active_catalogue
from ..forms import AssessmentForm
from ..models import Membership
from ..selectors import get_assessment
from ..tenancy import org_view
from .organisations import confirm_page


def _memberships(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def _creation_token(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw or "")
    except ValueError:
        return None


@org_view("manage_assessments")
def assessment_create(request):
    memberships = _memberships(request.organisation)
    initial = {"catalogue": active_catalogue()}
    form = AssessmentForm(request.POST or None, memberships=memberships, initial=initial)
    # A one-time token in the form makes creating idempotent: the form submitted twice (a
    # double click, a reload of the POST) leads to the assessment its first submit created.
    token = _creation_token(request.POST.get("creation_token"))
    if request.method == "POST" and token is not None:
        created = selectors.created_assessment(
            organisation=request.organisation, creation_token=token
        )
        if created is not None:
            messages.info(request, _("This form was already submitted: here is its assessment."))
            return redirect("assessment", org_slug=request.organisation.slug, pk=created.pk)
    if request.method == "POST" and form.is_valid():
        assessment = services.create_assessment(
            organisation=request.organisation,
            created_by=request.user,
            title=form.cleaned_data["title"],
            catalogue=form.cleaned_data["catalogue"],
            target_stage=form.cleaned_data["target_stage"],
            respondents=form.respondents(),
            creation_token=token,
        )
        messages.success(request, _("Assessment created. Respondents see it on their start page."))
        return redirect("assessment", org_slug=request.organisation.slug, pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "form": form,
            "organisation": request.organisation,
            # Kept when the form comes back with errors, so that its submits stay one.
            "creation_token": token or uuid.uuid4(),
        },
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
        request.POST or None,
        memberships=memberships,
        initial=initial,
        with_catalogue=False,
        catalogue=assessment.catalogue,
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


def _respondent_label(respondent) -> str:
    # Workshop participants have no user; the perspective tells them apart well enough.
    if respondent.name:  # a respondent without account (personal link)
        return respondent.name
    if respondent.user is not None:
        return respondent.user.get_full_name() or respondent.user.get_username()
    return _("Workshop participant (%(perspective)s)") % {
        "perspective": respondent.get_perspective_display()
    }


@require_http_methods(["GET", "POST"])
@org_view("manage_assessments")
def assessment_close(request, pk):
    """GET: what closing does, and who has not submitted yet. POST (from that page): close."""
    assessment = get_assessment(request, pk)
    detail_url = reverse("assessment", kwargs={"org_slug": request.organisation.slug, "pk": pk})
    if request.method == "GET":
        if not assessment.is_open:
            messages.info(request, _("This assessment is already closed."))
            return redirect(detail_url)
        pending = assessment.respondents.filter(submitted_at__isnull=True).select_related("user")
        names = [_respondent_label(r) for r in pending]
        count = len(names)
        paragraphs = [
            ngettext(
                "%(count)d respondent has not submitted:",
                "%(count)d respondents have not submitted:",
                count,
            )
            % {"count": count}
            if count
            else _("Every respondent has submitted."),
        ]
        after = [
            _(
                "The result is computed now from every answer given so far, including those "
                "not yet submitted, and stored. Respondents can no longer change their answers."
            ),
            _("You can reopen the assessment later; closing it again replaces the result."),
        ]
        return confirm_page(
            request,
            title=_("Close “%(title)s” and compute the result?") % {"title": assessment.title},
            paragraphs=paragraphs,
            items=names,
            after=after,
            action=request.path,
            confirm_label=_("Close and compute result"),
            cancel_url=detail_url,
        )
    try:
        services.close_assessment(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(detail_url)
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
