"""Workshop screens.

Presenter views are organisation views (``@org_view("facilitate")``). Participant views
have no login: the join code names the session (looked up once without scope), a cookie
names the participant, and everything else runs inside the session's organisation's scope.
Every screen is read from the database on each request, so any number of app servers can
serve one session. Screens follow changes by server-sent events held by Pushpin (see
``workshops.push``) and fall back to polling the ``state/`` endpoints without it.

Three screens: the presenter screen (projected: question, live count, results, join code,
shown open answers; no controls), the facilitator view (a laptop or phone: next, reveal,
re-vote, consensus, open question and its moderation, close) and the phone.
"""

import secrets
from dataclasses import dataclass
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_scopes import scope, scopes_disabled

from assessments.forms import DONT_KNOW, parse_value
from assessments.models import Consensus, Question
from assessments.selectors import get_assessment
from assessments.tenancy import org_view

from . import push, selectors, services, throttle
from .forms import (
    ConsensusForm,
    JoinCodeForm,
    JoinForm,
    OpenAnswerForm,
    OpenQuestionForm,
    StartSessionForm,
)
from .models import Mode, WorkshopSession

COOKIE_PREFIX = "compass_ws_"
COOKIE_SALT = "workshops.participant"
COOKIE_AGE = 2 * 24 * 3600
DONE = "done"
# Client click times are milliseconds since 1970: anything beyond 2**53 is not a time a
# browser makes, and beyond 2**63 no database column holds it (a 500 before this check).
MAX_TS = 2**53
OPEN_ANSWER_LIMIT = 5  # open answers per participant per minute


def _options(question: Question) -> list[tuple[str, str]]:
    return [(str(i), label) for i, label in enumerate(question.labels)]


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _no_push_engine():
    """No GRIP proxy in front: the stream is not served by the sync workers (it would hold
    one for good). 204 makes the browser's EventSource give up, and the page polls."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def _stream(request, session):
    if not push.enabled() or not getattr(request, "grip", None) or not request.grip.proxied:
        return _no_push_engine()
    from django_eventstream.views import events

    response = events(request, channels=[push.room_channel(session)])
    # No next link: the room's channel is not a reliable one (no stored events to catch up
    # on; a reconnecting page reads the state endpoint instead), so Pushpin's recovery
    # requests over it would return nothing, and a round of them for every held stream
    # delays the pushes published meanwhile.
    request.grip.instruct.set_next_link(None)
    return response


# --------------------------------------------------------------------------- presenter


def _session(request, pk) -> WorkshopSession:
    # Scoped to the URL's organisation: another organisation's session is a 404.
    return get_object_or_404(
        WorkshopSession.objects.select_related(
            "assessment__catalogue", "current_question__section", "section", "prompt_section"
        ),
        pk=pk,
        assessment__organisation=request.organisation,
    )


def _facilitator(request, session):
    return redirect("workshop_facilitator", org_slug=request.organisation.slug, pk=session.pk)


@org_view("facilitate")
def workshop_list(request, pk):
    assessment = get_assessment(request, pk)
    return render(
        request,
        "workshops/workshop_list.html",
        {
            "organisation": request.organisation,
            "assessment": assessment,
            "sessions": selectors.sessions_of(assessment=assessment),
            "form": StartSessionForm(catalogue=assessment.catalogue),
        },
    )


@require_POST
@org_view("facilitate")
def workshop_start(request, pk):
    assessment = get_assessment(request, pk)
    form = StartSessionForm(request.POST, catalogue=assessment.catalogue)
    if not form.is_valid():
        messages.error(request, _("Choose a pace and the questions for the workshop."))
        return redirect("workshop_list", org_slug=request.organisation.slug, pk=assessment.pk)
    try:
        session = services.start_session(
            assessment=assessment,
            mode=form.cleaned_data["mode"],
            section=form.cleaned_data["section"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("workshop_list", org_slug=request.organisation.slug, pk=assessment.pk)
    return _facilitator(request, session)


def _qr_svg(url: str) -> str:
    # Dark modules on a white quiet zone: scannable from a dark projector page.
    svg = segno.make(url, error="m").svg_inline(
        scale=8, border=3, dark="#000", light="#fff", omitsize=True, svgclass="ws-qr-svg"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup for our own URL


def _bars(question, reveal) -> list[dict]:
    """The result's rows: value, label, votes (the scale's labels stay readable)."""
    labels = question.labels if question else [""] * 5
    current = reveal["current"] if reveal else None
    counts = current["distribution"] if current else [0] * 5
    top = max(current["votes"], 1) if current else 1
    bars = [
        {"value": str(i), "num": str(i), "label": labels[i], "n": counts[i], "max": top}
        for i in range(5)
    ]
    dont_know = current["dont_know"] if current else 0
    bars.append({"value": "dk", "num": "?", "label": _("Don't know"), "n": dont_know, "max": top})
    return bars


def _room_context(request, session) -> dict:
    state = selectors.room_state(session=session)
    join_url = request.build_absolute_uri(reverse("workshop_join", args=[session.code]))
    return {
        "organisation": request.organisation,
        "session": session,
        "assessment": session.assessment,
        "state": state,
        "current": session.current_question if state["question"] else None,
        "reveal": state["reveal"],
        "join_url": join_url,
        "join_host": join_url.split("://", 1)[-1].split("/join/", 1)[0],
        "min_group_size": session.assessment.catalogue.min_group_size,
    }


@org_view("facilitate")
def workshop_presenter(request, pk):
    """The projected screen: question, live count, results after the reveal, join code and
    the shown open answers. No controls and no app chrome: it is what the room sees."""
    session = _session(request, pk)
    context = _room_context(request, session)
    context["qr_svg"] = _qr_svg(context["join_url"])
    context["voices"] = selectors.shown_voices(session=session)
    questions = selectors.session_questions(session=session)
    context["options"] = _options(session.current_question) if context["current"] else []
    context["bars"] = _bars(context["current"], context["reveal"])
    if session.is_self_paced:
        context["progress"] = selectors.progress(session=session, questions=questions)
    return render(request, "workshops/presenter.html", context)


def _counts_tick(session: WorkshopSession, state: dict) -> None:
    """The one-second poll of the shared screen and the facilitator view also publishes the
    coalesced trailing count of a vote burst (see ``push.publish_counts_if_due``)."""
    if session.is_open and not session.is_self_paced:
        push.publish_counts_if_due(
            session,
            counts={
                "participants": state["participants"],
                "votes": state["votes"],
                "question": session.current_question_id,
                "round": session.current_round,
            },
        )


@never_cache
@org_view("facilitate")
def workshop_presenter_state(request, pk):
    """The presenter screen's state as JSON: read on (re)connect, and polled every second
    (it is one screen) for the counts; without a push engine it is all the screen has."""
    session = _session(request, pk)
    state = selectors.room_state(session=session)
    state["voices"] = selectors.shown_voices(session=session)
    _counts_tick(session, state)
    return JsonResponse(state)


@org_view("facilitate")
def workshop_facilitator(request, pk):
    """The facilitator's controls (a laptop or phone, not projected)."""
    session = _session(request, pk)
    context = _room_context(request, session)
    questions = selectors.session_questions(session=session)
    current = context["current"]
    index = next((i for i, q in enumerate(questions) if q.pk == session.current_question_id), -1)
    consensus = consensus_form = None
    if current is not None:
        consensus = Consensus.objects.filter(
            assessment=session.assessment, question=current
        ).first()
        initial = {}
        if consensus is not None:
            value = "none" if consensus.value is None else str(consensus.value)
            initial = {"value": value, "note": consensus.note}
        consensus_form = ConsensusForm(initial=initial)
    section = session.prompt_section or (current.section if current else None)
    context.update(
        {
            "questions": questions,
            "position": index + 1,
            "consensus": consensus,
            "consensus_form": consensus_form,
            "prompt_form": OpenQuestionForm(
                catalogue=session.assessment.catalogue,
                initial={
                    "prompt": session.prompt or _("What holds us back here?"),
                    "section": section.pk if section else None,
                },
            ),
            "pending": selectors.pending_answers(session=session),
            "voices": selectors.shown_voices(session=session),
        }
    )
    if session.is_self_paced:
        context["progress"] = selectors.progress(session=session, questions=questions)
    return render(request, "workshops/facilitator.html", context)


@never_cache
@org_view("facilitate")
def workshop_facilitator_state(request, pk):
    """Polled every second by the facilitator view: counts, and the open answers waiting
    for moderation (they are never pushed: only this view may see them)."""
    session = _session(request, pk)
    state = selectors.room_state(session=session)
    _counts_tick(session, state)
    context = {
        "organisation": request.organisation,
        "session": session,
        "state": state,
        "pending": selectors.pending_answers(session=session),
        "voices": selectors.shown_voices(session=session),
    }
    if session.is_self_paced:
        context["progress"] = selectors.progress(
            session=session, questions=selectors.session_questions(session=session)
        )
    response = render(request, "workshops/facilitator.html#live", context)
    if request.GET.get("v") not in (None, state["v"]):
        # Another facilitator screen moved the session on: show the new controls.
        response["HX-Refresh"] = "true"
    return response


def _facilitator_action(action):
    """POST-only facilitator action; a refused step becomes a message, never an error page."""

    @wraps(action)
    def view(request, pk):
        session = _session(request, pk)
        try:
            result = action(request, session)
        except services.WorkshopError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            if result is not None:
                return result
        return _facilitator(request, session)

    return require_POST(org_view("facilitate")(view))


@_facilitator_action
def workshop_navigate(request, session):
    target = request.POST.get("to", "")
    if target in ("next", "previous"):
        services.step(session=session, offset=1 if target == "next" else -1)
        return None
    question = selectors.session_question(session=session, code=target)
    if question is None:
        raise services.WorkshopError(_("There is no such question in this workshop."))
    services.go_to(session=session, question=question)
    return None


@_facilitator_action
def workshop_reveal(request, session):
    services.reveal(session=session)


@_facilitator_action
def workshop_revote(request, session):
    services.revote(session=session)


@_facilitator_action
def workshop_consensus(request, session):
    question = session.current_question
    if question is None:
        raise services.WorkshopError(_("There is no current question."))
    if request.POST.get("action") == "mean":
        services.leave_mean(session=session, question=question)
        messages.success(request, _("No consensus value: the mean of the votes counts."))
        return
    form = ConsensusForm(request.POST)
    if not form.is_valid():
        raise services.WorkshopError(_("Choose a consensus value from 0 to 4, or unanswered."))
    services.record_consensus(
        session=session,
        question=question,
        value=form.cleaned_value(),
        note=form.cleaned_data["note"],
        user=request.user,
    )
    messages.success(request, _("Consensus recorded."))


@_facilitator_action
def workshop_open_question(request, session):
    if request.POST.get("action") == "end":
        services.end_open_question(session=session)
        return
    form = OpenQuestionForm(request.POST, catalogue=session.assessment.catalogue)
    if not form.is_valid():
        raise services.WorkshopError(_("Type the open question and choose its section."))
    services.ask_open_question(
        session=session, section=form.cleaned_data["section"], prompt=form.cleaned_data["prompt"]
    )


@_facilitator_action
def workshop_moderate(request, session):
    try:
        answer_id = int(request.POST.get("answer", ""))
    except ValueError:
        raise services.WorkshopError(_("This answer has already been handled.")) from None
    if not 0 < answer_id < MAX_TS:
        raise services.WorkshopError(_("This answer has already been handled."))
    services.moderate_open_answer(
        session=session, answer_id=answer_id, show=request.POST.get("action") == "show"
    )


@org_view("facilitate")
def workshop_close(request, pk):
    """Ending the workshop cannot be undone: GET (or a POST without ``confirm``) shows what
    will happen; the confirmed POST closes."""
    session = _session(request, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.close_session(session=session)
        messages.success(request, _("The workshop is closed. Its votes count for the assessment."))
        return _facilitator(request, session)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    return render(
        request,
        "workshops/close_confirm.html",
        {
            "organisation": request.organisation,
            "session": session,
            "assessment": session.assessment,
            "summary": services.close_summary(session=session),
        },
    )


# --------------------------------------------------------------------------- participants


def _cookie_name(session: WorkshopSession) -> str:
    return COOKIE_PREFIX + session.code


@dataclass(frozen=True)
class ParticipantRef:
    """Who the signed cookie names: enough to vote without reading the participant row."""

    pk: int
    respondent_id: int


def _set_participant_cookie(response, participant):
    """Signed (Django's cookie signing; the cookie's name, with the code, is part of the
    signature): later requests know the participant without reading the database."""
    response.set_signed_cookie(
        _cookie_name(participant.session),
        f"{participant.pk}.{participant.respondent_id}",
        salt=COOKIE_SALT,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


def participant_cookie(participant) -> str:
    """The cookie value a joined phone holds (for tests and the load benchmark)."""
    response = _set_participant_cookie(HttpResponse(), participant)
    return response.cookies[_cookie_name(participant.session)].value


def _read_cookie(request, code: str) -> ParticipantRef | None:
    raw = request.get_signed_cookie(
        COOKIE_PREFIX + code, default=None, salt=COOKIE_SALT, max_age=COOKIE_AGE
    )
    if not raw:
        return None
    try:
        pk, respondent_id = (int(part) for part in raw.split("."))
    except ValueError:
        return None
    return ParticipantRef(pk=pk, respondent_id=respondent_id)


def _message_page(request, title: str, text: str, status: int):
    return render(request, "workshops/message.html", {"title": title, "text": text}, status=status)


def _too_many(request):
    minutes = max(1, throttle.window() // 60)
    return _message_page(
        request,
        _("Too many attempts"),
        _(
            "Too many workshop codes were tried from this network. Please check the code on "
            "the shared screen and try again in %(minutes)d minutes."
        )
        % {"minutes": minutes},
        429,
    )


def _not_found(request):
    return _message_page(
        request,
        _("Workshop not found"),
        _("There is no workshop with this code. Please check the code on the shared screen."),
        404,
    )


def _ended(request):
    return _message_page(
        request,
        _("This workshop has ended"),
        _("The facilitator has closed this workshop; it no longer accepts participants."),
        410,
    )


def _refused(request):
    """An unknown code: counts towards the browser's and the address's limits (throttle.py).
    A blocked browser or address gets 429 whatever it asks, so it learns nothing about which
    codes exist."""
    if throttle.is_blocked(request):
        return _too_many(request)
    throttle.note_failure(request)
    return _not_found(request)


def participant_view(view):
    """Resolve the session (by code, one query) and the participant (by the signed cookie,
    no query), then run the view inside the session's organisation's scope. The rate limit
    is read only where it matters: unknown codes, and known codes asked for without a valid
    participant cookie (a joined participant's votes and polls skip that cache read)."""

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        code = selectors.normalise_code(code)
        session = selectors.session_for_phone(code)
        if session is None:
            refused = _refused(request)
            if _wants_json(request):
                status = refused.status_code
                return JsonResponse({"ok": False, "error": _("Workshop not found.")}, status=status)
            return refused
        participant = _read_cookie(request, session.code)
        if participant is None and throttle.is_blocked(request):
            return _too_many(request)
        with scope(organisation=session.assessment.organisation):
            return view(request, session, participant, *args, **kwargs)

    return wrapper


def workshop_join_form(request):
    """Type the code shown on the screen (for people who cannot scan the QR code)."""
    form = JoinCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = selectors.normalise_code(form.cleaned_data["code"])
        session = selectors.session_for_phone(code)
        if session is not None and not throttle.is_blocked(request):
            return redirect("workshop_join", code=session.code)
        refused = _refused(request) if session is None else _too_many(request)
        if refused.status_code == 429:
            return refused
        form.add_error("code", _("There is no workshop with this code."))
        status = 404
    return render(request, "workshops/join_code.html", {"form": form}, status=status)


def _participant_row(session, ref: ParticipantRef | None):
    """The participant row, for the pages that show the person's name (not for votes)."""
    if ref is None:
        return None
    return (
        session.participants.select_related("respondent")
        .filter(pk=ref.pk, respondent_id=ref.respondent_id)
        .first()
    )


@participant_view
def workshop_join(request, session, participant):
    if not session.is_open or not session.assessment.is_open:
        return _ended(request)
    if _participant_row(session, participant) is not None:
        # Already joined on this device: continue where they were.
        return redirect("workshop_participant", code=session.code)
    form = JoinForm(request.POST or None, initial={"nonce": secrets.token_urlsafe(16)})
    if request.method == "POST" and form.is_valid():
        try:
            participant, _token = services.join_session(
                session=session,
                perspective=form.cleaned_data["perspective"],
                display_name=form.cleaned_data["display_name"],
                nonce=form.cleaned_data["nonce"],
            )
        except services.SessionClosed:
            return _ended(request)
        push.publish_counts_if_due(session)
        response = redirect("workshop_participant", code=session.code)
        return _set_participant_cookie(response, participant)
    return render(
        request,
        "workshops/join.html",
        {"session": session, "assessment": session.assessment, "form": form},
        status=400 if form.errors else 200,
    )


def _items(session, participant) -> list[dict]:
    """The question cards of the participant's screen: the current question when the
    facilitator sets the pace, every question of the session when self-paced."""
    if session.is_self_paced:
        questions = selectors.session_questions(session=session)
    else:
        current = selectors.current_question(session=session)
        questions = [current] if current else []
    rounds = selectors.round_states(session=session)
    answers = selectors.participant_answers(participant=participant)
    items = []
    for question in questions:
        latest = rounds.get(question.pk)
        number = latest.number if latest else 1
        answer = answers.get((question.pk, number))
        if answer is None:
            selected = None
        else:
            selected = DONT_KNOW if answer.value is None else str(answer.value)
        items.append(
            {
                "question": question,
                "round": number,
                "open": latest is None or latest.revealed_at is None,
                "selected": selected,
                "options": _options(question),
            }
        )
    for i, item in enumerate(items):
        item["previous"] = items[i - 1]["question"].code if i > 0 else None
        item["next"] = items[i + 1]["question"].code if i + 1 < len(items) else DONE
    return items


@participant_view
def workshop_participant(request, session, participant):
    participant = _participant_row(session, participant)
    if participant is None:
        return redirect("workshop_join", code=session.code)
    items = _items(session, participant) if session.is_open else []
    current = request.GET.get("q") or ""
    codes = [item["question"].code for item in items]
    if current not in codes and current != DONE:
        # Resume at the first open question not yet answered in its current round.
        current = next(
            (i["question"].code for i in items if i["open"] and i["selected"] is None),
            codes[0] if (codes and not session.is_self_paced) else DONE,
        )
    state = selectors.room_state(session=session)
    context = {
        "session": session,
        "assessment": session.assessment,
        "participant": participant,
        "items": items,
        "current": current,
        "state": state,
        "reveal": state["reveal"] if session.is_open else None,
        "bars": _bars(session.current_question, state["reveal"]),
        "answer_form": OpenAnswerForm(),
    }
    return render(request, "workshops/participant.html", context)


@never_cache
@participant_view
def workshop_participant_state(request, session, participant):
    """The room's state as JSON, plus this participant's own vote in the current round:
    read when the phone (re)connects, and polled when there is no push engine."""
    if participant is None:
        url = reverse("workshop_join", args=[session.code])
        if _wants_json(request):
            return JsonResponse({"ok": False, "rejoin": True, "url": url}, status=403)
        return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)
    # Unscoped, like the vote: every phone reads this on each reconnect, and each read is
    # keyed by the session (found by its code) and the signed cookie's respondent.
    with scopes_disabled():
        state = selectors.room_state(session=session)
        state["mine"] = None
        if state["question"] is not None:
            state["mine"] = selectors.own_vote(
                respondent_id=participant.respondent_id,
                question_id=state["question"]["id"],
                number=session.current_round,
            )
    return JsonResponse(state)


@participant_view
def workshop_participant_events(request, session, participant):
    """The room's stream, for the phones and the shared screen. Open to anyone with the
    code, like joining: it carries only what the shared screen shows. No cookie is asked:
    Pushpin's follow-up requests for a held stream (GRIP next links) come without one."""
    return _stream(request, session)


def _vote_error(request, session, message: str, status: int, **extra):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message, **extra}, status=status)
    messages.error(request, message)
    return redirect("workshop_participant", code=session.code)


def _parse_int(raw: str | None) -> int | None:
    """A positive whole number of at most 2**53, None when absent; ValueError otherwise."""
    if raw is None or raw == "":
        return None
    if len(raw) > 20 or not raw.isascii() or not raw.isdigit():
        raise ValueError(raw)
    value = int(raw)
    if not 0 < value <= MAX_TS:
        raise ValueError(raw)
    return value


@require_POST
@participant_view
def workshop_vote(request, session, participant):
    """One vote. Answers with JSON for the page's script (only {"ok": true} with the same
    ts confirms), or redirects for the plain form without JavaScript."""
    if not session.is_open:
        # Checked first: closing removes people who never voted, and they should read
        # "ended", not "join again".
        message = _("This workshop has ended; votes are no longer accepted.")
        return _vote_error(request, session, message, 409, locked=True)
    if participant is None:
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "rejoin": True, "error": _("Please join the workshop again.")},
                status=403,
            )
        return redirect("workshop_join", code=session.code)
    code = request.POST.get("question", "")
    valid, value = parse_value(request.POST.get("value"))
    try:
        client_ts = _parse_int(request.POST.get("ts"))
        number = _parse_int(request.POST.get("round"))
    except ValueError:
        valid = False
    if not valid:
        return _vote_error(request, session, _("Please choose one of the answers."), 400)
    if session.mode == Mode.FACILITATOR:
        target = selectors.current_target(session=session, code=code)
    else:
        target = selectors.vote_target(session=session, code=code)
    if target is None:
        return _vote_error(request, session, _("There is no such question in this workshop."), 404)
    try:
        answer, applied = services.cast_vote(
            session=session,
            respondent_id=participant.respondent_id,
            target=target,
            value=value,
            client_ts=client_ts,
            round=number,
        )
    except services.WorkshopError as error:
        return _vote_error(request, session, error.message, 409, locked=True)
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": True,
                "question": code,
                "round": answer.round,
                "ts": client_ts,
                "applied": applied,
            }
        )
    messages.success(request, _("Your answer has been received."))
    url = reverse("workshop_participant", args=[session.code])
    if session.is_self_paced:
        codes = [q.code for q in selectors.session_questions(session=session)]
        following = codes[codes.index(code) + 1] if codes.index(code) + 1 < len(codes) else DONE
        url += f"?q={following}"
    return redirect(url)


@require_POST
@participant_view
def workshop_open_answer(request, session, participant):
    """A phone's short answer to the open question; it waits for the facilitator."""
    if participant is None:
        return _vote_error(request, session, _("Please join the workshop again."), 403)
    form = OpenAnswerForm(request.POST)
    if not form.is_valid():
        return _vote_error(request, session, form.errors["text"][0], 400)
    # Per participant (from the signed cookie), so a room behind one NAT is not one person.
    key = f"ws-open-answer:{session.pk}:{participant.pk}"
    cache.add(key, 0, timeout=60)
    try:
        sent = cache.incr(key)
    except ValueError:
        sent = 1
    if sent > OPEN_ANSWER_LIMIT:
        return _vote_error(
            request, session, _("Thank you! Please wait a minute before sending more."), 429
        )
    try:
        services.submit_open_answer(session=session, text=form.cleaned_data["text"])
    except services.WorkshopError as error:
        return _vote_error(request, session, error.message, 409)
    message = _("Sent. The facilitator shows answers on the shared screen.")
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message})
    messages.success(request, message)
    return redirect("workshop_participant", code=session.code)
