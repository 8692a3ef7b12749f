from django import template

from .. import engagement

register = template.Library()


@register.inclusion_tag("assessments/respondents/_response_rate.html")
def response_rates(assessment):
    """Submitted of invited, per perspective and in total (one query)."""
    return {"rates": engagement.response_rates(assessment=assessment)}
