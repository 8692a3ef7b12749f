from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def report_state(context):
    """The report box's state for the results page (which includes reports/_actions.html)."""
    from reports.views import report_state as build

    request = context["request"]
    return build(request, context["assessment"], context.get("snapshot"))
