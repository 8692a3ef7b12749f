"""The respondent's questionnaire: one section per page, autosave per click, a plain form
with a save button when JavaScript is off, resume at the first unanswered question."""

import re

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import engagement, selectors, services
from ..engagement import member_or_link, questionnaire_view
from ..forms import parse_value
from ..models import Respondent


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


# Rendering sixty radio buttons through the template engine costs more than everything else
# on the page, and they only change with the catalogue version and the language. So the
# section's questions are rendered once per process with ⟦…⟧ markers, and each request only
# fills in the respondent's state (checked answers, comments, save times, lock).
_FRAGMENTS: dict[tuple, str] = {}
_MARKER = re.compile(r"⟦([dosc])(?::([A-Za-z0-9_.-]+))?⟧")


def _questions_fragment(catalogue, section) -> str:
    key = (catalogue.pk, catalogue.checksum, catalogue.loaded_at, section.key, get_language())
    html = _FRAGMENTS.get(key)
    if html is None:
        html = render_to_string(
            "assessments/_questions.html", {"questions": section.questions.all()}
        )
        if len(_FRAGMENTS) > 256:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = html
    return html


def render_questions(catalogue, section, answers_by_code: dict, *, locked: bool) -> str:
    saved = _("Saved")

    def fill(match: re.Match) -> str:
        kind, code = match.groups()
        if kind == "d":
            return " disabled" if locked else ""
        answer = answers_by_code.get(code)
        if kind == "o":
            return " open" if answer is not None and answer.comment else ""
        if kind == "c":
            return escape(answer.comment) if answer is not None else ""
        if answer is None:
            return ""
        return f"{saved} · {timezone.localtime(answer.updated_at):%H:%M}"

    html = _MARKER.sub(fill, _questions_fragment(catalogue, section))
    for code, answer in answers_by_code.items():
        value = "dk" if answer.value is None else str(answer.value)
        radio = f'id="q-{code}-{value}" value="{value}">'
        html = html.replace(radio, radio[:-1] + " checked>", 1)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine; comments escaped


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

    if request.method == "POST":
        # The form without JavaScript: every question of the section in one submit.
        if locked:
            messages.error(request, _("Your answers are submitted and can no longer change."))
            return redirect(request.path)
        errors = 0
        for question in questions:
            raw = request.POST.get(f"q-{question.code}")
            comment = request.POST.get(f"c-{question.code}", "").strip()[:2000]
            if raw is None:
                continue
            valid, value = parse_value(raw)
            if not valid:
                errors += 1
                continue
            services.save_answer(
                respondent=respondent, question=question, value=value, comment=comment
            )
        if errors:
            messages.error(request, _("Some answers could not be read and were not saved."))
        else:
            messages.success(request, _("Your answers have been saved."))
        index = next(i for i, s in enumerate(sections) if s.key == section.key)
        if "next" in request.POST and index + 1 < len(sections):
            return redirect(
                "questionnaire_section",
                org_slug=request.organisation.slug,
                pk=pk,
                section_key=sections[index + 1].key,
            )
        if "next" in request.POST:
            return redirect("questionnaire_submit", org_slug=request.organisation.slug, pk=pk)
        return redirect(request.path)

    total = sum(len(s.questions.all()) for s in sections)
    index = next(i for i, s in enumerate(sections) if s.key == section.key)
    section_menu = [
        {
            "section": s,
            "answered": sum(1 for q in s.questions.all() if q.pk in answers),
            "total": len(s.questions.all()),
            "current": s.key == section.key,
        }
        for s in sections
    ]
    by_code = {q.code: answers[q.pk] for q in questions if q.pk in answers}
    questions_html = render_questions(assessment.catalogue, section, by_code, locked=locked)
    return render(
        request,
        "assessments/questionnaire.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "respondent": respondent,
            "section": section,
            "questions_html": questions_html,
            "section_menu": section_menu,
            "answered": len(answers),
            "total": total,
            "percent": round(100 * len(answers) / total) if total else 0,
            "previous_section": sections[index - 1] if index > 0 else None,
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "locked": locked,
        },
    )


# Not behind org_view, unlike every other organisation page: each click is one statement
# whose conditions are the organisation of the URL, the person's membership of it and their
# own open respondent row (services.autosave_answer), which spares the hottest request of the
# product a membership query. The permission tests cover it for every role like any page.
@require_POST
@member_or_link
def questionnaire_save(request, org_slug, pk):
    """Autosave of one question. Answers with JSON so the page can tell a real confirmation
    from a login page or an error; only {"ok": true} confirms."""
    code = request.POST.get("question", "")
    valid, value = parse_value(request.POST.get("value"))
    try:
        client_ts = int(request.POST.get("ts", ""))
    except ValueError:
        client_ts = None
    link_respondent_id = getattr(request, "link_respondent_id", None)
    if link_respondent_id is not None and valid and client_ts is not None and client_ts > 0:
        try:
            saved = engagement.link_autosave(
                respondent_id=link_respondent_id,
                assessment_id=pk,
                question_code=code,
                value=value,
                comment=request.POST.get("comment", "").strip()[:2000],
                client_ts=client_ts,
            )
        except services.NotFound:
            raise Http404 from None
        except services.AnswerLocked:
            return JsonResponse(
                {"ok": False, "locked": True, "error": _("Your answers are submitted and locked.")},
                status=409,
            )
        return _saved_json(code, client_ts, saved)
    if link_respondent_id is not None:
        return JsonResponse({"ok": False, "error": _("Invalid answer.")}, status=400)
    if not valid or client_ts is None or client_ts <= 0:
        found = selectors.member_questionnaire(
            org_slug=org_slug, assessment_id=pk, user=request.user
        )
        if found is None:
            raise Http404  # somebody else's questionnaire stays a 404
        return JsonResponse({"ok": False, "error": _("Invalid answer.")}, status=400)
    try:
        saved = services.autosave_answer(
            org_slug=org_slug,
            assessment_id=pk,
            user=request.user,
            question_code=code,
            value=value,
            comment=request.POST.get("comment", "").strip()[:2000],
            client_ts=client_ts,
        )
    except services.NotFound:
        raise Http404 from None
    except services.AnswerLocked:
        return JsonResponse(
            {"ok": False, "locked": True, "error": _("Your answers are submitted and locked.")},
            status=409,
        )
    return _saved_json(code, client_ts, saved)


def _saved_json(code, client_ts, saved) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "question": code,
            "ts": client_ts,
            "applied": saved.applied,
            "answered": saved.answered,
            "saved_at": formats.time_format(timezone.localtime(saved.updated_at), "H:i"),
        }
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
        },
    )
