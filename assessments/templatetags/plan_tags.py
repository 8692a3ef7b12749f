"""``{% results_plan assessment snapshot %}``: the action plan on the results page, so the
results page includes it with one line and its view stays as it is."""

from django import template

from .. import narrative, plans

register = template.Library()


@register.inclusion_tag("assessments/plan/_plan.html", takes_context=True)
def results_plan(context, assessment, snapshot=None):
    request = context["request"]
    data = plans.results_plan(assessment=assessment, snapshot=snapshot)
    projected = data["plan_projected"]
    if projected is not None:
        projected = {**projected, "label": narrative.stage_label(projected["index"])}
    return {
        **data,
        "plan_projected": projected,
        "organisation": assessment.organisation,
        "assessment": assessment,
        "plan_can_edit": "manage_assessments" in getattr(request, "capabilities", ()),
    }
