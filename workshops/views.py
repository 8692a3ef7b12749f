"""Workshop screens.

Presenter views are organisation views (``@org_view("facilitate")``). Participant views
have no login: the join code names the session (looked up once without scope), a cookie
names the participant, and everything else runs inside the session's organisation's scope.
Every screen is read from the database on each request, so any number of app servers can
serve one session; screens follow changes by polling a small partial every 2 s.
"""

import secrets
from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh
from django_scopes import scope

from assessments import figures as charts
from assessments.forms import DONT_KNOW, parse_value
from assessments.models import Consensus, Question
from assessments.selectors import get_assessment
from assessments.tenancy import org_view

from . import selectors, services, throttle
from .forms import ConsensusForm, JoinCodeForm, JoinForm, StartSessionForm
from .models import Phase, WorkshopSession

COOKIE_PREFIX = "compass_ws_"
COOKIE_AGE = 2 * 24 * 3600
DONE = "done"


def _options(question: Question) -> list[tuple[str, str]]:
    return [(str(i), label) for i, label in enumerate(question.labels)]


# --------------------------------------------------------------------------- presenter


def _session(request, pk) -> WorkshopSession:
    # Scoped to the URL's organisation: another organisation's session is a 404.
    return get_object_or_404(
        WorkshopSession.objects.select_related(
            "assessment__catalogue", "current_question__section", "section"
        ),
        pk=pk,
        assessment__organisation=request.organisation,
    )


def _presenter_key(session: WorkshopSession) -> str:
    return (
        f"{session.status}.{session.mode}.{session.current_question_id}."
        f"{session.current_round}.{session.phase}"
    )


def _back(request, session):
    return redirect("workshop_presenter", org_slug=request.organisation.slug, pk=session.pk)


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
    return _back(request, session)


def _qr_svg(url: str) -> str:
    # Dark modules on a white quiet zone: scannable from a dark projector page.
    svg = segno.make(url, error="m").svg_inline(
        scale=8, border=3, dark="#000", light="#fff", omitsize=True, svgclass="ws-qr-svg"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup for our own URL


def _presenter_live(session: WorkshopSession, questions) -> dict:
    live = selectors.live_counts(session=session)
    if session.is_self_paced:
        live["progress"] = selectors.progress(session=session, questions=questions)
    return live


@org_view("facilitate")
def workshop_presenter(request, pk):
    session = _session(request, pk)
    questions = selectors.session_questions(session=session)
    current = session.current_question
    index = next((i for i, q in enumerate(questions) if q.pk == session.current_question_id), -1)
    reveal = figure = consensus = consensus_form = None
    if current is not None and session.phase == Phase.REVEALED:
        # Only after the reveal does any figure of the votes reach the page (blind vote).
        reveal = selectors.reveal_summary(
            session=session, question_id=current.pk, number=session.current_round
        )
        figure = charts.to_json(
            charts.distribution_figure(
                reveal["current"]["distribution"], reveal["current"]["dont_know"], current.labels
            )
        )
    if current is not None:
        consensus = Consensus.objects.filter(
            assessment=session.assessment, question=current
        ).first()
        initial = {}
        if consensus is not None:
            value = "none" if consensus.value is None else str(consensus.value)
            initial = {"value": value, "note": consensus.note}
        consensus_form = ConsensusForm(initial=initial)
    join_url = request.build_absolute_uri(reverse("workshop_join", args=[session.code]))
    return render(
        request,
        "workshops/presenter.html",
        {
            "organisation": request.organisation,
            "session": session,
            "assessment": session.assessment,
            "questions": questions,
            "current": current,
            "options": _options(current) if current else [],
            "position": index + 1,
            "reveal": reveal,
            "figure": figure,
            "consensus": consensus,
            "consensus_form": consensus_form,
            "live": _presenter_live(session, questions),
            "state_key": _presenter_key(session),
            "join_url": join_url,
            "qr_svg": _qr_svg(join_url),
            "min_group_size": session.assessment.catalogue.min_group_size,
        },
    )


@org_view("facilitate")
def workshop_presenter_state(request, pk):
    """The polled part of the presenter screen: participants and votes. If another screen
    moved the session on, the page reloads to show the new question."""
    session = _session(request, pk)
    key = _presenter_key(session)
    if request.htmx and request.GET.get("v") not in (None, key):
        return HttpResponseClientRefresh()
    questions = selectors.session_questions(session=session) if session.is_self_paced else []
    return render(
        request,
        "workshops/presenter.html#poll",
        {
            "organisation": request.organisation,
            "session": session,
            "live": _presenter_live(session, questions),
            "state_key": key,
        },
    )


def _presenter_action(action):
    """POST-only presenter action; a refused step becomes a message, never an error page."""

    @wraps(action)
    def view(request, pk):
        session = _session(request, pk)
        try:
            action(request, session)
        except services.WorkshopError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return _back(request, session)

    return require_POST(org_view("facilitate")(view))


@_presenter_action
def workshop_navigate(request, session):
    target = request.POST.get("to", "")
    if target in ("next", "previous"):
        services.step(session=session, offset=1 if target == "next" else -1)
        return
    question = selectors.session_question(session=session, code=target)
    if question is None:
        raise services.WorkshopError(_("There is no such question in this workshop."))
    services.go_to(session=session, question=question)


@_presenter_action
def workshop_reveal(request, session):
    services.reveal(session=session)


@_presenter_action
def workshop_revote(request, session):
    services.revote(session=session)


@_presenter_action
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


@_presenter_action
def workshop_close(request, session):
    services.close_session(session=session)
    messages.success(request, _("The workshop is closed. Its votes count for the assessment."))


# --------------------------------------------------------------------------- participants


def _cookie_name(session: WorkshopSession) -> str:
    return COOKIE_PREFIX + session.code


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
    """Resolve session (by code) and participant (by cookie), then run the view inside the
    session's organisation's scope. The rate limit is read only where it matters: unknown
    codes, and known codes asked for without a valid participant cookie (a joined
    participant's votes and polls skip that cache read)."""

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        code = selectors.normalise_code(code)
        token = request.COOKIES.get(COOKIE_PREFIX + code, "")
        participant = None
        if token:
            participant = selectors.participant_for_cookie(
                code=code, token_hash=services.hash_token(token)
            )
        session = participant.session if participant else selectors.session_for_code(code)
        if session is None:
            refused = _refused(request)
            if request.headers.get("Accept", "").startswith("application/json"):
                status = refused.status_code
                return JsonResponse({"ok": False, "error": _("Workshop not found.")}, status=status)
            return refused
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
        session = selectors.session_for_code(code)
        if session is not None and not throttle.is_blocked(request):
            return redirect("workshop_join", code=session.code)
        refused = _refused(request) if session is None else _too_many(request)
        if refused.status_code == 429:
            return refused
        form.add_error("code", _("There is no workshop with this code."))
        status = 404
    return render(request, "workshops/join_code.html", {"form": form}, status=status)


def _set_participant_cookie(response, session, token):
    response.set_cookie(
        _cookie_name(session),
        token,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


@participant_view
def workshop_join(request, session, participant):
    if not session.is_open or not session.assessment.is_open:
        return _ended(request)
    if participant is not None:
        # Already joined on this device: continue where they were.
        return redirect("workshop_participant", code=session.code)
    form = JoinForm(request.POST or None, initial={"nonce": secrets.token_urlsafe(16)})
    if request.method == "POST" and form.is_valid():
        try:
            participant, token = services.join_session(
                session=session,
                perspective=form.cleaned_data["perspective"],
                display_name=form.cleaned_data["display_name"],
                nonce=form.cleaned_data["nonce"],
            )
        except services.SessionClosed:
            return _ended(request)
        response = redirect("workshop_participant", code=session.code)
        return _set_participant_cookie(response, session, token)
    return render(
        request,
        "workshops/join.html",
        {"session": session, "assessment": session.assessment, "form": form},
        status=400 if form.errors else 200,
    )


def _participant_key(session: WorkshopSession) -> str:
    if session.is_self_paced:
        signature = selectors.rounds_signature(session=session)
        return f"{session.status}.{session.mode}.{signature}"
    return (
        f"{session.status}.{session.mode}.{session.current_question_id}."
        f"{session.current_round}.{session.phase}"
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
    reveal = None
    if (
        session.is_open
        and not session.is_self_paced
        and session.current_question_id
        and session.phase == Phase.REVEALED
    ):
        reveal = selectors.reveal_summary(
            session=session,
            question_id=session.current_question_id,
            number=session.current_round,
        )
    context = {
        "session": session,
        "assessment": session.assessment,
        "participant": participant,
        "items": items,
        "current": current,
        "reveal": reveal,
        "live": selectors.live_counts(session=session),
        "state_key": _participant_key(session),
    }
    return render(request, "workshops/participant.html", context)


@participant_view
def workshop_participant_state(request, session, participant):
    """Polled every 2 s: the vote count, and a reload when the facilitator moved on."""
    if participant is None:
        url = reverse("workshop_join", args=[session.code])
        return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)
    key = _participant_key(session)
    if request.htmx and request.GET.get("v") not in (None, key):
        return HttpResponseClientRefresh()
    return render(
        request,
        "workshops/participant.html#live",
        {
            "session": session,
            "participant": participant,
            "live": selectors.live_counts(session=session),
            "state_key": key,
        },
    )


def _vote_error(request, session, message: str, status: int, **extra):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": False, "error": message, **extra}, status=status)
    messages.error(request, message)
    return redirect("workshop_participant", code=session.code)


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
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(
                {"ok": False, "rejoin": True, "error": _("Please join the workshop again.")},
                status=403,
            )
        return redirect("workshop_join", code=session.code)
    code = request.POST.get("question", "")
    valid, value = parse_value(request.POST.get("value"))
    raw_ts = request.POST.get("ts")
    raw_round = request.POST.get("round")
    try:
        client_ts = int(raw_ts) if raw_ts else None
        number = int(raw_round) if raw_round else None
    except ValueError:
        valid = False
    if not valid or (client_ts is not None and client_ts <= 0):
        return _vote_error(request, session, _("Please choose one of the answers."), 400)
    target = selectors.vote_target(session=session, code=code)
    if target is None:
        return _vote_error(request, session, _("There is no such question in this workshop."), 404)
    try:
        _answer, applied = services.cast_vote(
            participant=participant,
            target=target,
            value=value,
            client_ts=client_ts,
            round=number,
        )
    except services.WorkshopError as error:
        return _vote_error(request, session, error.message, 409, locked=True)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "ok": True,
                "question": code,
                "round": _answer.round,
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
