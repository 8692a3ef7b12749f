"""The respondent's questionnaire: one section per page, autosave per click, a plain form
with a save button when JavaScript is off, resume at the first unanswered question."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import engagement, selectors, services
from ..engagement import questionnaire_view
from ..forms import DONT_KNOW, ContextAnswersForm, parse_value
from ..models import ContextAnswer, ContextQuestion, Respondent


def _questionnaire(request, pk) -> tuple[Respondent, dict]:
    """The person's own respondent row (with assessment and catalogue) and answers: the
    member's, or the personal-link session's (assessments/engagement.py)."""
    return engagement.questionnaire_of_request(
        request,
        pk=pk,
        member_lookup=lambda: selectors.own_questionnaire(
            organisation=request.organisation, assessment_id=pk, user=request.user
        ),
    )


def _radio_value(value: int | None) -> str:
    return DONT_KNOW if value is None else str(value)


# A click time is the browser's Date.now(): a whole number of milliseconds up to
# Number.MAX_SAFE_INTEGER. Anything else is not a time (and may not fit the database).
MAX_CLICK_TIME = 2**53 - 1


def parse_click_time(raw: str | None) -> int | None:
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 16:
        return None
    ts = int(raw)
    return ts if 0 < ts <= MAX_CLICK_TIME else None


def _first_unanswered(sections, answers) -> tuple[str | None, str | None]:
    for section in sections:
        for question in section.questions.all():
            if question.pk not in answers:
                return section.key, question.code
    return None, None


@questionnaire_view
def questionnaire_resume(request, pk):
    """Continue where the person stopped, on any device: the first unanswered question."""
    respondent, answers = _questionnaire(request, pk)
    sections = selectors.catalogue_sections(catalogue=respondent.assessment.catalogue)
    section_key, code = _first_unanswered(sections, answers)
    if section_key is None or respondent.submitted_at is not None:
        return redirect("questionnaire_submit", org_slug=request.organisation.slug, pk=pk)
    url = reverse("questionnaire_section", args=[request.organisation.slug, pk, section_key])
    return redirect(f"{url}#q-{code}")


def _read_section_form(post, questions) -> tuple[list[tuple], dict[str, str], dict[str, str]]:
    """The plain form's answers as (question, value, comment) triples, with the typed
    comments and an error per question that cannot be saved as submitted."""
    answers, comments, errors = [], {}, {}
    for question in questions:
        raw = post.get(f"q-{question.code}")
        comment = post.get(f"c-{question.code}", "").strip()[:2000]
        comments[question.code] = comment
        if raw is None:
            if comment:
                # "Don't know" is an answer of its own (null); a comment alone is not one.
                errors[question.code] = _(
                    "Not saved yet: a comment is saved with an answer. Choose an answer "
                    "(or “Don't know”) and save again."
                )
            continue
        valid, value = parse_value(raw)
        if not valid:
            errors[question.code] = _("This answer could not be read. Please choose again.")
            continue
        answers.append((question, value, comment))
    return answers, comments, errors


def _question_state(question, answer, typed: dict, errors: dict) -> dict:
    """What the page shows of one question: its options (value, label, checked) with the
    stored answer checked, the comment (as typed, where it could not be saved), the time it
    was saved and what went wrong with the person's last submit."""
    checked = _radio_value(answer.value) if answer is not None else None
    options = [(str(i), label, str(i) == checked) for i, label in enumerate(question.labels)]
    options.append((DONT_KNOW, _("Don't know"), checked == DONT_KNOW))
    if question.code in errors:
        comment = typed.get(question.code, "")
    else:
        comment = answer.comment if answer is not None else ""
    return {
        "question": question,
        "options": options,
        "comment": comment,
        "saved_at": answer.updated_at if answer is not None else None,
        "error": errors.get(question.code),
    }


@questionnaire_view
def questionnaire_section(request, pk, section_key):
    respondent, answers = _questionnaire(request, pk)
    assessment = respondent.assessment
    sections = selectors.catalogue_sections(catalogue=assessment.catalogue)
    section = next((s for s in sections if s.key == section_key), None)
    if section is None:
        raise Http404
    locked = respondent.submitted_at is not None or not assessment.is_open
    questions = list(section.questions.all())
    index = sections.index(section)
    typed, errors = {}, {}

    if request.method == "POST":
        # The form without JavaScript: every question of the section in one submit. It is
        # the person's latest intent, so it applies over any earlier click.
        if locked:
            messages.error(request, _("Your answers are submitted and can no longer change."))
            return redirect(request.path)
        submitted, typed, errors = _read_section_form(request.POST, questions)
        try:
            services.save_answers(respondent=respondent, answers=submitted)
        except services.AnswerLocked:
            messages.error(request, _("Your answers are submitted and can no longer change."))
            return redirect(request.path)
        if errors:
            # The page again, with what was typed: nothing the person wrote is lost.
            messages.error(request, _("Some entries were not saved; see the marked questions."))
            respondent, answers = _questionnaire(request, pk)
        else:
            messages.success(request, _("Your answers have been saved."))
            if "next" in request.POST and index + 1 < len(sections):
                return redirect(
                    "questionnaire_section",
                    org_slug=request.organisation.slug,
                    pk=pk,
                    section_key=sections[index + 1].key,
                )
            if "next" in request.POST:
                # After the last scored section: the optional context questions, if any.
                has_context = ContextQuestion.objects.filter(catalogue=assessment.catalogue)
                target = "questionnaire_context" if has_context.exists() else "questionnaire_submit"
                return redirect(target, org_slug=request.organisation.slug, pk=pk)
            return redirect(request.path)

    total = sum(len(s.questions.all()) for s in sections)
    section_menu = [
        {
            "section": s,
            "answered": sum(1 for q in s.questions.all() if q.pk in answers),
            "total": len(s.questions.all()),
            "current": s.key == section.key,
        }
        for s in sections
    ]
    items = [
        _question_state(question, answers.get(question.pk), typed, errors) for question in questions
    ]
    return render(
        request,
        "assessments/questionnaire.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondent": respondent,
            "section": section,
            "items": items,
            "section_menu": section_menu,
            "answered": len(answers),
            "total": total,
            "percent": round(100 * len(answers) / total) if total else 0,
            "previous_section": sections[index - 1] if index > 0 else None,
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "locked": locked,
        },
    )


@require_POST
@questionnaire_view
def questionnaire_save(request, pk):
    """Autosave of one question. Answers with JSON so the page can tell a real confirmation
    from a login page or an error; only {"ok": true} confirms, and "applied": false says
    that a newer answer was kept (its value comes along, for the page to show)."""
    try:
        # The member's own, or the personal link's; somebody else's stays a 404.
        respondent = engagement.autosave_respondent_of_request(
            request,
            pk=pk,
            member_lookup=lambda: selectors.own_respondent(
                organisation=request.organisation, assessment_id=pk, user=request.user
            ),
        )
    except services.AnswerLocked:
        return _locked()
    question = selectors.catalogue_question(
        catalogue=respondent.assessment.catalogue, code=request.POST.get("question", "")
    )
    if question is None:
        raise Http404
    valid, value = parse_value(request.POST.get("value"))
    client_ts = parse_click_time(request.POST.get("ts"))
    if not valid or client_ts is None:
        return JsonResponse({"ok": False, "error": _("Invalid answer.")}, status=400)
    try:
        answer, applied = services.save_answer(
            respondent=respondent,
            question=question,
            value=value,
            comment=request.POST.get("comment", "").strip()[:2000],
            client_ts=client_ts,
        )
    except services.AnswerLocked:
        return _locked()
    return JsonResponse(
        {
            "ok": True,
            "question": question.code,
            "ts": client_ts,
            "applied": applied,
            "value": _radio_value(answer.value),
            "comment": answer.comment,
            "answered": selectors.answered_count(respondent=respondent),
            "saved_at": formats.time_format(timezone.localtime(answer.updated_at), "H:i"),
            # The server's clock, for a page on a device whose clock is off.
            "now": services.now_ms(),
        }
    )


def _locked() -> JsonResponse:
    return JsonResponse(
        {"ok": False, "locked": True, "error": _("Your answers are submitted and locked.")},
        status=409,
    )


@questionnaire_view
def questionnaire_context(request, pk):
    """The optional, unscored context questions (catalogue 2026.2), after the scored sections
    and before the review. A plain form; without context questions it leads on to the
    review."""
    respondent, _answers = _questionnaire(request, pk)
    assessment = respondent.assessment
    questions = list(
        ContextQuestion.objects.filter(catalogue=assessment.catalogue).order_by("order")
    )
    if not questions:
        return redirect("questionnaire_submit", org_slug=request.organisation.slug, pk=pk)
    locked = respondent.submitted_at is not None or not assessment.is_open
    current = dict(
        ContextAnswer.objects.filter(respondent=respondent).values_list("question_id", "option")
    )
    form = ContextAnswersForm(
        request.POST if request.method == "POST" else None, questions=questions, current=current
    )
    if request.method == "POST":
        if locked:
            messages.error(request, _("Your answers are submitted and can no longer change."))
            return redirect(request.path)
        if form.is_valid():
            try:
                services.save_context_answers(respondent=respondent, answers=form.answers())
            except services.AnswerLocked:
                messages.error(request, _("Your answers are submitted and can no longer change."))
                return redirect(request.path)
            messages.success(request, _("Your answers have been saved."))
            if "next" in request.POST:
                return redirect("questionnaire_submit", org_slug=request.organisation.slug, pk=pk)
            return redirect(request.path)
        messages.error(request, _("Some entries were not saved; see the marked questions."))
    sections = selectors.catalogue_sections(catalogue=assessment.catalogue)
    return render(
        request,
        "assessments/questionnaire_context.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondent": respondent,
            "form": form,
            "locked": locked,
            "last_section": sections[-1] if sections else None,
        },
    )


@questionnaire_view
def questionnaire_submit(request, pk):
    respondent, answers = _questionnaire(request, pk)
    assessment = respondent.assessment
    sections = selectors.catalogue_sections(catalogue=assessment.catalogue)
    # Review: what is still open and what was answered "don't know", with links back.
    unanswered = []
    dont_know = []
    for section in sections:
        for question in section.questions.all():
            answer = answers.get(question.pk)
            if answer is None:
                unanswered.append((section, question))
            elif answer.value is None:
                dont_know.append((section, question))
    if request.method == "POST":
        if not assessment.is_open:
            messages.error(request, _("This assessment is closed."))
        else:
            services.submit_respondent(respondent=respondent)
            messages.success(request, _("Thank you. Your answers are submitted."))
        if getattr(request, "link_respondent_id", None) is not None:
            return redirect(request.path)  # no account: stay on the (now locked) review
        return redirect("home")
    return render(
        request,
        "assessments/questionnaire_submit.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondent": respondent,
            "unanswered": unanswered,
            "dont_know": dont_know,
            "total": sum(len(s.questions.all()) for s in sections),
            "sections": sections,
            "has_context": ContextQuestion.objects.filter(catalogue=assessment.catalogue).exists(),
        },
    )
