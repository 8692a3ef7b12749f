"""Writes of the workshop mode. Plain functions, keyword-only, one transaction each.

Votes go through ``assessments.services.save_answer`` only (idempotent, keyed by respondent,
question and round; an older click never overwrites a newer one), so a participant's retries
can neither duplicate nor roll back an answer.
"""

import functools
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from assessments import services as assessment_services
from assessments.models import Answer, Assessment, Question, Respondent, Section

from . import push, selectors
from .models import (
    Mode,
    OpenAnswer,
    OpenAnswerStatus,
    Participant,
    Phase,
    QuestionRound,
    SessionStatus,
    WorkshopSession,
)

CODE_ATTEMPTS = 5


class WorkshopError(Exception):
    """A request the session's state does not allow; the message says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SessionClosed(WorkshopError):
    pass


class VotingClosed(WorkshopError):
    pass


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lock(session: WorkshopSession) -> WorkshopSession:
    # Two facilitator screens may press "next" at once: the row lock serialises them.
    return (
        # of=("self",): lock the session row only (the open question's section is an outer join).
        WorkshopSession.objects.select_for_update(of=("self",))
        .select_related("assessment__catalogue", "prompt_section")
        .get(pk=session.pk)
    )


def _open_round(session: WorkshopSession, question: Question) -> QuestionRound:
    latest = selectors.latest_round(session=session, question=question)
    if latest is None:
        # Self-paced votes may precede the round row: count them once here.
        votes = Answer.objects.filter(
            respondent__workshop_participant__session=session, question=question, round=1
        ).count()
        latest = QuestionRound.objects.create(
            session=session, question=question, number=1, votes=votes
        )
    return latest


def _changed(session: WorkshopSession) -> WorkshopSession:
    """Push the room's new state once the facilitator's transaction has committed."""
    push.publish_state(session, selectors.room_state(session=session))
    return session


def _show(session: WorkshopSession, question: Question) -> WorkshopSession:
    current = _open_round(session, question)
    session.current_question = question
    session.current_round = current.number
    session.phase = Phase.REVEALED if current.revealed_at else Phase.VOTING
    session.save(update_fields=["current_question", "current_round", "phase"])
    return session


def start_session(
    *, assessment: Assessment, mode: str, section: Section | None, user
) -> WorkshopSession:
    """Open a session on the first question of its scope, with a fresh unguessable code."""
    if not assessment.is_open:
        raise ValidationError(_("This assessment is closed. Reopen it to run a workshop."))
    if mode not in Mode.values:
        raise ValidationError(_("Choose how the workshop is paced."))
    if section is not None and section.catalogue_id != assessment.catalogue_id:
        raise ValidationError(_("This section is not part of the assessment's catalogue."))
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                session = WorkshopSession.objects.create(
                    assessment=assessment, mode=mode, section=section, created_by=user
                )
                questions = selectors.session_questions(session=session)
                if questions:
                    _show(session, questions[0])
                return session
        except IntegrityError:
            # A code collision (one in ~10¹¹): draw again.
            if attempt == CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def join_session(
    *, session: WorkshopSession, perspective: str, display_name: str = "", nonce: str = ""
) -> tuple[Participant, str]:
    """Add a participant (a respondent without user account) and return it with the cookie
    token; only the token's hash is stored. A repeated join with the same form nonce (the
    first response was lost) returns the same participant with a new token."""
    if perspective not in ("business", "it", "other"):
        raise ValidationError(_("Choose your perspective."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        current = WorkshopSession.objects.select_related("assessment").get(pk=session.pk)
        if not current.is_open or not current.assessment.is_open:
            raise SessionClosed(_("This workshop has ended. Thank you for your interest."))
        nonce = nonce[:64]
        if nonce:
            existing = (
                Participant.objects.select_for_update()
                .filter(session=current, join_nonce=nonce)
                .first()
            )
            if existing is not None:
                existing.token_hash = hash_token(token)
                existing.save(update_fields=["token_hash"])
                return existing, token
        try:
            with transaction.atomic():
                respondent = Respondent.objects.create(
                    assessment=current.assessment, user=None, perspective=perspective
                )
                participant = Participant.objects.create(
                    session=current,
                    respondent=respondent,
                    display_name=display_name.strip()[:40],
                    token_hash=hash_token(token),
                    join_nonce=nonce,
                )
                WorkshopSession.objects.filter(pk=current.pk).update(
                    participant_total=F("participant_total") + 1
                )
        except IntegrityError:
            # The same nonce joined concurrently: that join wins, this one takes it over.
            participant = Participant.objects.select_for_update().get(
                session=current, join_nonce=nonce
            )
            participant.token_hash = hash_token(token)
            participant.save(update_fields=["token_hash"])
    return participant, token


@functools.cache
def _count_sql() -> str:
    return (
        f"UPDATE {QuestionRound._meta.db_table} SET votes = votes + 1"  # noqa: S608
        " WHERE session_id = %s AND question_id = %s AND number = %s"
    )


def _count_vote(*, session_id: int, question_id: int, number: int) -> None:
    """The round's vote counter, up by one (SQL, as the vote's other statements: the
    request a whole room sends within seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(), [session_id, question_id, number])


def cast_vote(
    *,
    session: WorkshopSession,
    respondent_id: int,
    target: selectors.VoteTarget,
    value: int | None,
    client_ts: int | None,
    round: int | None = None,
) -> tuple[Answer, bool]:
    """Store a participant's vote in the question's open round (``target`` from
    ``selectors.vote_target`` or ``selectors.current_target``). ``round`` is the round the
    person saw when voting: a retry of a round-1 click that arrives after the re-vote opened
    is refused, never counted as a round-2 vote. When the facilitator sets the pace only the
    question on the screen takes votes. A reveal racing a vote by milliseconds may let that
    vote in; a closed session never does (the respondent row lock in ``store_answer`` sees it
    submitted). The round's vote counter goes up in the same transaction when this is the
    participant's first vote in the round."""
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended; votes are no longer accepted."))
    if session.mode == Mode.FACILITATOR and (
        target.question.pk != session.current_question_id or target.number != session.current_round
    ):
        raise VotingClosed(_("This question is no longer open for voting."))
    if target.number is None:
        if session.mode == Mode.FACILITATOR:
            raise VotingClosed(_("This question is not open for voting yet."))
        number = 1
    else:
        if target.revealed:
            raise VotingClosed(_("Voting on this question has ended: the results are shown."))
        number = target.number
    if round is not None and round != number:
        raise VotingClosed(_("This voting round has ended; your vote was not counted."))
    question = target.question
    try:
        # Unscoped: the organisation's filter would add joins to every statement of the
        # request a whole room sends at once. Every statement here is keyed by the session
        # (found by its code, in the organisation's scope) and by the respondent of the signed
        # cookie, which store_answer checks against the session's assessment.
        with scopes_disabled():
            stored = assessment_services.store_answer(
                respondent=Respondent(pk=respondent_id, assessment_id=session.assessment_id),
                question=question,
                value=value,
                client_ts=client_ts,
                round=number,
                on_created=lambda: _count_vote(
                    session_id=session.pk, question_id=question.pk, number=number
                ),
            )
    except assessment_services.AnswerLocked:
        raise SessionClosed(_("This workshop has ended; votes are no longer accepted.")) from None
    if stored.created:
        push.publish_counts_if_due(session)
    answer, applied = stored.answer, stored.applied
    return answer, applied


@transaction.atomic
def go_to(*, session: WorkshopSession, question: Question) -> WorkshopSession:
    session = _lock(session)
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    return _changed(_show(session, question))


@transaction.atomic
def step(*, session: WorkshopSession, offset: int) -> WorkshopSession:
    """Next (+1) or previous (−1) question of the session's scope; stays at either end."""
    session = _lock(session)
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    questions = selectors.session_questions(session=session)
    if not questions:
        return session
    ids = [q.pk for q in questions]
    index = ids.index(session.current_question_id) if session.current_question_id in ids else -1
    target = min(max(index + offset, 0), len(questions) - 1)
    if target == index:
        return session
    return _changed(_show(session, questions[target]))


@transaction.atomic
def reveal(*, session: WorkshopSession) -> WorkshopSession:
    session = _lock(session)
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    if session.current_question_id is None:
        raise WorkshopError(_("There is no question to reveal."))
    current = _open_round(session, session.current_question)
    if current.revealed_at is None:
        current.revealed_at = timezone.now()
        current.save(update_fields=["revealed_at"])
    session.current_round = current.number
    session.phase = Phase.REVEALED
    session.save(update_fields=["current_round", "phase"])
    return _changed(session)


@transaction.atomic
def revote(*, session: WorkshopSession) -> WorkshopSession:
    """Open the next round of the current question. Earlier rounds stay stored; scoring
    takes each participant's latest round."""
    session = _lock(session)
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    if session.current_question_id is None or session.phase != Phase.REVEALED:
        raise WorkshopError(_("Reveal the votes before opening another round."))
    latest = selectors.latest_round(session=session, question=session.current_question)
    number = (latest.number if latest else 0) + 1
    QuestionRound.objects.create(session=session, question=session.current_question, number=number)
    session.current_round = number
    session.phase = Phase.VOTING
    session.save(update_fields=["current_round", "phase"])
    return _changed(session)


def record_consensus(
    *, session: WorkshopSession, question: Question, value: int | None, note: str, user
):
    """The facilitator's value for the question (None: the room leaves it unanswered)."""
    return assessment_services.set_consensus(
        assessment=session.assessment, question=question, value=value, note=note, user=user
    )


def leave_mean(*, session: WorkshopSession, question: Question) -> None:
    """No consensus value: the participants' mean counts."""
    assessment_services.clear_consensus(assessment=session.assessment, question=question)


@transaction.atomic
def close_session(*, session: WorkshopSession) -> WorkshopSession:
    """Lock the session: no joins, no votes. The participants' respondents are marked
    submitted (``save_answer`` refuses them from now on, also for a vote in flight: it
    waits for this transaction's row locks). Someone who joined but never voted is removed,
    so they cannot make a perspective group look large enough to be shown (k)."""
    session = _lock(session)
    if not session.is_open:
        return session
    now = timezone.now()
    respondents = Respondent.objects.filter(workshop_participant__session=session)
    respondents.update(submitted_at=now)
    silent = list(respondents.filter(answers__isnull=True).values_list("pk", flat=True))
    Respondent.objects.filter(pk__in=silent).delete()
    session.status = SessionStatus.CLOSED
    session.closed_at = now
    session.participant_total = Participant.objects.filter(session=session).count()
    session.save(update_fields=["status", "closed_at", "participant_total"])
    # Answers the facilitator neither showed nor hid never reach the assessment.
    OpenAnswer.objects.filter(session=session, status=OpenAnswerStatus.PENDING).delete()
    return _changed(session)


def close_summary(*, session: WorkshopSession) -> dict:
    """What closing will do, for the confirmation step: who is kept, who is removed."""
    participants = Participant.objects.filter(session=session)
    silent = participants.filter(respondent__answers__isnull=True).count()
    return {"participants": participants.count(), "silent": silent}


# --------------------------------------------------------------------------- open question

DEFAULT_PROMPT_LIMIT = 5  # answers per participant and minute


@transaction.atomic
def ask_open_question(*, session: WorkshopSession, section: Section, prompt: str):
    """Ask the room one open question about a section (replaces any earlier one)."""
    session = _lock(session)
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    prompt = " ".join(prompt.split())[:200]
    if not prompt:
        raise WorkshopError(_("Type the open question for the room."))
    if section.catalogue_id != session.assessment.catalogue_id:
        raise WorkshopError(_("This section is not part of the assessment's catalogue."))
    session.prompt = prompt
    session.prompt_section = section
    session.save(update_fields=["prompt", "prompt_section"])
    return _changed(session)


@transaction.atomic
def end_open_question(*, session: WorkshopSession):
    session = _lock(session)
    session.prompt = ""
    session.prompt_section = None
    session.save(update_fields=["prompt", "prompt_section"])
    return _changed(session)


def submit_open_answer(*, session: WorkshopSession, text: str) -> OpenAnswer:
    """A phone's short answer to the open question. It waits for the facilitator; it is
    stored without any link to its writer."""
    if not session.is_open:
        raise SessionClosed(_("This workshop has ended."))
    if not session.prompt or session.prompt_section_id is None:
        raise WorkshopError(_("There is no open question right now."))
    text = " ".join(text.split())
    if not text:
        raise WorkshopError(_("Type a short answer."))
    if len(text) > OpenAnswer.MAX_LENGTH:
        raise WorkshopError(
            _("Please keep it under %(n)d characters.") % {"n": OpenAnswer.MAX_LENGTH}
        )
    return OpenAnswer.objects.create(
        assessment=session.assessment,
        session=session,
        section_key=session.prompt_section.key,
        prompt=session.prompt,
        text=text,
    )


@transaction.atomic
def moderate_open_answer(*, session: WorkshopSession, answer_id: int, show: bool) -> None:
    """Show an answer on the shared screen, or hide it for good (it is deleted)."""
    answer = (
        OpenAnswer.objects.select_for_update()
        .filter(session=session, pk=answer_id, status=OpenAnswerStatus.PENDING)
        .first()
    )
    if answer is None:
        raise WorkshopError(_("This answer has already been handled."))
    if not show:
        answer.delete()
        return
    answer.status = OpenAnswerStatus.SHOWN
    answer.shown_at = timezone.now()
    answer.save(update_fields=["status", "shown_at"])
    session = WorkshopSession.objects.select_related("prompt_section").get(pk=session.pk)
    push.publish_voices(session, {"voices": selectors.shown_voices(session=session)})
