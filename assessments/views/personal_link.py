"""The personal link of a respondent without an account, and the opt-out from reminders.

Mail scanners open links: a GET only shows a page with a button, and only the POST of that
button starts the questionnaire (or opts out)."""

from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import engagement


def _problem(request, respondent, reason, status):
    return render(
        request,
        "assessments/respondents/link_problem.html",
        {"reason": reason, "respondent": respondent, "assessment": respondent.assessment},
        status=status,
    )


def _check(request, respondent, *, purpose="link"):
    """A page explaining why the link does not open, or None when it does."""
    assessment = respondent.assessment
    if respondent.revoked_at is not None:
        return _problem(request, respondent, "revoked", 410)
    if purpose == "link" and not assessment.is_open:
        return _problem(request, respondent, "closed", 410)
    if purpose == "link" and engagement.deadline_passed(assessment):
        return _problem(request, respondent, "deadline", 410)
    if not engagement.token_is_valid(request, respondent, purpose=purpose):
        return _problem(request, respondent, "invalid", 404)
    return None


@require_http_methods(["GET", "POST"])
def respondent_link(request, org_slug, pk, rid):
    respondent = engagement.link_respondent(org_slug=org_slug, assessment_id=pk, respondent_id=rid)
    problem = _check(request, respondent)
    if problem is not None:
        return problem
    if request.method == "POST":
        if request.user.is_authenticated:
            # One browser, one person: an account's session does not mix with a link's.
            logout(request)
        engagement.start_session(request, respondent)
        return redirect("questionnaire", org_slug=org_slug, pk=pk)
    return render(
        request,
        "assessments/respondents/link_start.html",
        {
            "respondent": respondent,
            "assessment": respondent.assessment,
            "organisation_name": respondent.assessment.organisation.name,
        },
    )


@require_http_methods(["GET", "POST"])
def respondent_optout(request, org_slug, pk, rid):
    respondent = engagement.link_respondent(org_slug=org_slug, assessment_id=pk, respondent_id=rid)
    problem = _check(request, respondent, purpose="opt-out")
    if problem is not None:
        return problem
    done = respondent.reminders_opt_out
    if request.method == "POST":
        engagement.opt_out(respondent=respondent)
        done = True
    return render(
        request,
        "assessments/respondents/optout.html",
        {"respondent": respondent, "assessment": respondent.assessment, "done": done},
    )
