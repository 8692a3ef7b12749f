"""The organisation's action plan: list, add, edit, change status. Status changes answer
htmx with the changed row; without JavaScript the same form posts and redirects back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import plans
from ..models import Assessment, Membership, PlanItem, PlanStatus, Question
from ..plan_forms import PlanItemForm, PlanStatusForm
from ..tenancy import org_view


def _memberships(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def _item(request, item_pk) -> PlanItem:
    # Scoped to the URL's organisation: another organisation's item is a 404.
    return get_object_or_404(
        PlanItem.objects.select_related("owner", "assessment"),
        pk=item_pk,
        organisation=request.organisation,
    )


@org_view("view_results")
def plan(request):
    items = plans.plan_items(organisation=request.organisation)
    return render(
        request,
        "assessments/plan/plan.html",
        {
            "organisation": request.organisation,
            "items": items,
            "statuses": PlanStatus.choices,
            "can_edit": "manage_assessments" in request.capabilities,
        },
    )


def _prefill(request) -> tuple[dict, Assessment | None]:
    """Initial values when an action is taken over from a result: ?question=CODE&assessment=PK.
    Unknown values are ignored, the form then starts empty."""
    initial: dict = {}
    assessment = None
    pk = request.GET.get("assessment", "")
    if pk.isdigit():
        assessment = Assessment.objects.filter(
            pk=int(pk), organisation=request.organisation
        ).first()
    code = request.GET.get("question", "").strip().upper()
    if code:
        question = (
            Question.objects.filter(code=code, catalogue=assessment.catalogue).first()
            if assessment
            else Question.objects.filter(code=code).order_by("-catalogue_id").first()
        )
        if question is not None:
            initial["question_codes"] = question.code
            initial["title"] = question.text[:300]
    return initial, assessment


@org_view("manage_assessments")
def plan_item_new(request):
    initial, assessment = _prefill(request)
    if request.method == "POST":
        pk = request.POST.get("assessment", "")
        assessment = (
            Assessment.objects.filter(pk=int(pk), organisation=request.organisation).first()
            if pk.isdigit()
            else None
        )
    form = PlanItemForm(
        request.POST or None,
        initial=initial,
        memberships=_memberships(request.organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            plans.create_plan_item(
                organisation=request.organisation,
                created_by=request.user,
                assessment=assessment,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect("plan", org_slug=request.organisation.slug)
    return render(
        request,
        "assessments/plan/item_form.html",
        {"organisation": request.organisation, "form": form, "source": assessment},
    )


@org_view("manage_assessments")
def plan_item_edit(request, item_pk):
    item = _item(request, item_pk)
    form = PlanItemForm(
        request.POST or None, instance=item, memberships=_memberships(request.organisation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            plans.update_plan_item(item=item, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("plan", org_slug=request.organisation.slug)
    return render(
        request,
        "assessments/plan/item_form.html",
        {"organisation": request.organisation, "form": form, "item": item},
    )


@require_POST
@org_view("manage_assessments")
def plan_item_status(request, item_pk):
    item = _item(request, item_pk)
    form = PlanStatusForm(request.POST)
    if form.is_valid():
        plans.set_plan_status(item=item, status=form.cleaned_data["status"])
        saved = True
    else:
        saved = False
    if request.htmx:
        return render(
            request,
            "assessments/plan/plan.html#item-row",
            {
                "organisation": request.organisation,
                "item": item,
                "statuses": PlanStatus.choices,
                "can_edit": True,
                "status_error": not saved,
            },
            status=200 if saved else 400,
        )
    if saved:
        messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Unknown status; nothing was changed."))
    return redirect("plan", org_slug=request.organisation.slug)
