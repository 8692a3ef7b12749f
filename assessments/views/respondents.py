"""An engagement's participation page (owner and consultant): who was invited, who opened,
answers and submitted, per perspective and per person (never their answers), and the
actions on respondents without accounts: add, upload, invite, remind, resend, revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import engagement
from ..engagement_forms import RespondentForm, ScheduleForm, UploadForm
from ..models import Respondent
from ..tenancy import org_view
from .assessments import get_assessment
from .organisations import confirm_page

IMPORT_SESSION_KEY = "compass_respondent_import"


def _back(request, assessment):
    return redirect("participation", org_slug=request.organisation.slug, pk=assessment.pk)


def _respondent(assessment, rid) -> Respondent:
    return get_object_or_404(
        Respondent.objects.select_related("link_user", "assessment__organisation"),
        pk=rid,
        assessment=assessment,
    )


def _page(request, assessment, *, form=None, upload_form=None, status=200):
    schedule_initial = {
        "deadline": assessment.deadline,
        "days_after": ", ".join(str(d) for d in assessment.reminder_days_after or []),
        "days_before": assessment.reminder_days_before,
    }
    return render(
        request,
        "assessments/respondents/participation.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "participation": engagement.participation(assessment=assessment),
            "form": form or RespondentForm(),
            "upload_form": upload_form or UploadForm(),
            "schedule_form": ScheduleForm(initial=schedule_initial),
            "max_reminders": engagement.MAX_REMINDERS,
        },
        status=status,
    )


@org_view("manage_assessments")
def participation(request, pk):
    return _page(request, get_assessment(request, pk))


@require_POST
@org_view("manage_assessments")
def respondent_add(request, pk):
    assessment = get_assessment(request, pk)
    form = RespondentForm(request.POST)
    if not form.is_valid():
        return _page(request, assessment, form=form, status=400)
    data = form.cleaned_data
    row = {k: data[k] for k in ("name", "email", "perspective", "language")}
    try:
        engagement.add_respondents(assessment=assessment, rows=[row], invite=data["invite"])
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, assessment, form=form, status=400)
    messages.success(request, _("%(name)s was added.") % {"name": row["name"]})
    return _back(request, assessment)


@require_POST
@org_view("manage_assessments")
def respondent_upload(request, pk):
    """Check the file and show what would be added; nothing is saved yet. The checked rows
    wait in the session for "Add these respondents", so the file is not sent twice."""
    assessment = get_assessment(request, pk)
    upload_form = UploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _page(request, assessment, upload_form=upload_form, status=400)
    result = engagement.parse_upload(upload_form.cleaned_data["file"], assessment=assessment)
    if result.errors:
        request.session.pop(IMPORT_SESSION_KEY, None)
    else:
        request.session[IMPORT_SESSION_KEY] = {"assessment": assessment.pk, "rows": result.rows}
    return render(
        request,
        "assessments/respondents/upload_preview.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "result": result,
            "file_name": upload_form.cleaned_data["file"].name,
        },
        status=400 if result.errors else 200,
    )


@require_POST
@org_view("manage_assessments")
def respondent_import_confirm(request, pk):
    assessment = get_assessment(request, pk)
    pending = request.session.get(IMPORT_SESSION_KEY)
    if not pending or pending.get("assessment") != assessment.pk:
        messages.error(request, _("There is no checked file to add. Upload it again."))
        return _back(request, assessment)
    try:
        created = engagement.add_respondents(
            assessment=assessment, rows=pending["rows"], invite="invite" in request.POST
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, assessment)
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(request, _("%(n)s respondents were added.") % {"n": len(created)})
    return _back(request, assessment)


@require_POST
@org_view("manage_assessments")
def respondents_invite(request, pk):
    """Send the invitations not sent yet."""
    assessment = get_assessment(request, pk)
    waiting = list(
        assessment.respondents.filter(
            invited_at__isnull=True, mail_pending="", revoked_at__isnull=True
        ).exclude(email="")
    )
    count = engagement.queue_mails(respondents=waiting, kind=engagement.MailKind.INVITATION)
    messages.success(request, _("%(n)s invitations are being sent.") % {"n": count})
    return _back(request, assessment)


@require_POST
@org_view("manage_assessments")
def respondents_remind(request, pk):
    assessment = get_assessment(request, pk)
    count = engagement.remind_now(
        respondents=list(assessment.respondents.filter(invited_at__isnull=False))
    )
    messages.success(request, _("%(n)s reminders are being sent.") % {"n": count})
    return _back(request, assessment)


@require_POST
@org_view("manage_assessments")
def respondent_remind(request, pk, rid):
    assessment = get_assessment(request, pk)
    respondent = _respondent(assessment, rid)
    if engagement.remind_now(respondents=[respondent]):
        messages.success(request, _("The reminder is being sent."))
    else:
        messages.error(
            request, _("No reminder: submitted, opted out, revoked or without a personal link.")
        )
    return _back(request, assessment)


@require_POST
@org_view("manage_assessments")
def respondent_resend(request, pk, rid):
    assessment = get_assessment(request, pk)
    respondent = _respondent(assessment, rid)
    if not respondent.email:
        messages.error(request, _("This respondent answers with an account; no link to send."))
        return _back(request, assessment)
    engagement.resend_link(respondent=respondent)
    messages.success(request, _("A new personal link is being sent."))
    return _back(request, assessment)


@org_view("manage_assessments")
def respondent_revoke(request, pk, rid):
    """GET asks for confirmation; POST ends the link (its answers stay)."""
    assessment = get_assessment(request, pk)
    respondent = _respondent(assessment, rid)
    if request.method == "POST":
        engagement.revoke_link(respondent=respondent)
        messages.success(request, _("The personal link no longer opens the questionnaire."))
        return _back(request, assessment)
    return confirm_page(
        request,
        title=_("Revoke the personal link?"),
        paragraphs=[
            _(
                "The link of %(name)s (%(email)s) will no longer open the questionnaire, also "
                "in a browser where it is already open. The answers given so far stay. “Send "
                "link again” makes a new link."
            )
            % {"name": respondent.name, "email": respondent.email}
        ],
        action=request.path,
        confirm_label=_("Revoke link"),
        cancel_url=reverse("participation", args=[request.organisation.slug, assessment.pk]),
    )


@require_POST
@org_view("manage_assessments")
def assessment_schedule(request, pk):
    assessment = get_assessment(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, assessment)
    engagement.update_schedule(
        assessment=assessment,
        deadline=form.cleaned_data["deadline"],
        days_after=form.cleaned_data["days_after"],
        days_before=form.cleaned_data["days_before"],
    )
    messages.success(request, _("Deadline and reminders saved."))
    return _back(request, assessment)
