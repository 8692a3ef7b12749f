"""Reads of the workshop mode. Every screen is built from the database on each request, each
selector in a fixed number of queries whatever the number of participants and questions;
only what never changes (a catalogue in use, its questions) is kept in process memory."""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from assessments.models import Answer, Assessment, Catalogue, Organisation, Question, Section
from assessments.selectors import catalogue_in_use, catalogue_sections, from_row

from . import stats
from .models import (
    JOIN_ALPHABET,
    OpenAnswer,
    OpenAnswerStatus,
    Participant,
    QuestionRound,
    WorkshopSession,
)


def normalise_code(raw: str) -> str:
    """What a person typed → the code as stored (case, spaces and dashes do not matter)."""
    return "".join(raw.split()).replace("-", "").upper()


def is_well_formed(code: str) -> bool:
    return 6 <= len(code) <= 16 and all(c in JOIN_ALPHABET for c in code)


PHONE_FIELDS = (
    *("id", "code", "assessment_id", "mode", "status", "section_id", "counts_pushed"),
    *("current_question_id", "current_round", "phase", "participant_total"),
    *("prompt", "prompt_section_id"),
)


@functools.cache
def _phone_sql() -> str:
    """The session by its code, with its assessment's organisation and catalogue (table
    names from the models, the code a parameter)."""
    sessions, assessments = WorkshopSession._meta.db_table, Assessment._meta.db_table
    organisations, catalogues = Organisation._meta.db_table, Catalogue._meta.db_table
    columns = ", ".join(f"s.{name}" for name in PHONE_FIELDS)
    return (
        f"SELECT {columns}, a.title, a.status, o.id, o.slug, c.id, c.checksum, c.loaded_at"  # noqa: S608
        f" FROM {sessions} s"
        f" INNER JOIN {assessments} a ON a.id = s.assessment_id"
        f" INNER JOIN {organisations} o ON o.id = a.organisation_id"
        f" INNER JOIN {catalogues} c ON c.id = a.catalogue_id WHERE s.code = %s"
    )


def session_for_phone(code: str) -> WorkshopSession | None:
    """The session a participant's request names by its code: the one lookup by a global
    key, so it runs without a scope, and the caller opens the session's organisation's scope
    for everything else. It reads the room's state, its assessment's title and status, its
    organisation's id and slug (for the scope); the catalogue, the section, the question on
    the screen and the open question's section come from process memory. Written as SQL: a
    whole room sends its votes and reconnects within seconds, and the ORM spends several
    times longer building this statement than the database spends running it. Reading
    another field of the result costs a query."""
    if not is_well_formed(code):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_phone_sql(), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    *fields, title, status, organisation_id, slug, catalogue_id, checksum, loaded_at = row
    session = from_row(WorkshopSession, dict(zip(PHONE_FIELDS, fields, strict=True)))
    assessment = from_row(
        Assessment,
        {
            "id": session.assessment_id,
            "organisation_id": organisation_id,
            "catalogue_id": catalogue_id,
            "title": title,
            "status": status,
        },
    )
    assessment.organisation = from_row(Organisation, {"id": organisation_id, "slug": slug})
    assessment.catalogue = catalogue_in_use(pk=catalogue_id, version=(checksum, loaded_at))
    session.assessment = assessment
    sections = {s.pk: s for s in catalogue_sections(catalogue=assessment.catalogue)}
    session.section = sections.get(session.section_id)
    session.prompt_section = sections.get(session.prompt_section_id)
    session.current_question = current_question(session=session)
    return session


def session_questions(*, session: WorkshopSession) -> list[Question]:
    """The questions the session covers, in questionnaire order (read once per process and
    catalogue version by assessments.selectors.catalogue_sections)."""
    sections = catalogue_sections(catalogue=session.assessment.catalogue)
    return [
        question
        for section in sections
        if not session.section_id or section.pk == session.section_id
        for question in section.questions.all()
    ]


def session_question(*, session: WorkshopSession, code: str) -> Question | None:
    return next((q for q in session_questions(session=session) if q.code == code), None)


def current_question(*, session: WorkshopSession) -> Question | None:
    if session.current_question_id is None:
        return None
    questions = session_questions(session=session)
    return next((q for q in questions if q.pk == session.current_question_id), None)


@dataclass(frozen=True)
class VoteTarget:
    """A question of the session and the state of its latest voting round."""

    question: Question
    number: int | None  # latest round number, None if never opened
    revealed: bool


def vote_target(*, session: WorkshopSession, code: str) -> VoteTarget | None:
    """The question a vote names and its latest round (one query)."""
    question = session_question(session=session, code=code)
    if question is None:
        return None
    latest = (
        QuestionRound.objects.filter(session=session, question_id=question.pk)
        .order_by("-number")
        .values_list("number", "revealed_at")
        .first()
    )
    if latest is None:
        return VoteTarget(question=question, number=None, revealed=False)
    return VoteTarget(question=question, number=latest[0], revealed=latest[1] is not None)


def latest_round(*, session: WorkshopSession, question: Question) -> QuestionRound | None:
    return (
        QuestionRound.objects.filter(session=session, question=question).order_by("-number").first()
    )


def participant_count(*, session: WorkshopSession) -> int:
    return Participant.objects.filter(session=session).count()


def vote_count(*, session: WorkshopSession, question_id: int, number: int) -> int:
    return Answer.objects.filter(
        respondent__workshop_participant__session=session, question_id=question_id, round=number
    ).count()


def live_counts(*, session: WorkshopSession) -> dict:
    """Participants and votes in the current round, for the polled status (two queries;
    one when self-paced: then nobody's screen shows a current question's votes)."""
    counts = {"participants": participant_count(session=session), "votes": 0}
    if session.current_question_id and not session.is_self_paced:
        counts["votes"] = vote_count(
            session=session, question_id=session.current_question_id, number=session.current_round
        )
    return counts


def rounds_signature(*, session: WorkshopSession) -> str:
    """Changes whenever a round is revealed or re-opened anywhere in the session (one
    query): a self-paced participant's page reloads then, whatever question it shows."""
    agg = QuestionRound.objects.filter(session=session).aggregate(
        revealed=Count("id", filter=Q(revealed_at__isnull=False)),
        revotes=Count("id", filter=Q(number__gt=1)),
    )
    return f"{agg['revealed']}.{agg['revotes']}"


def round_states(*, session: WorkshopSession) -> dict[int, QuestionRound]:
    """Latest round per question id (one query)."""
    latest: dict[int, QuestionRound] = {}
    for r in QuestionRound.objects.filter(session=session).order_by("question_id", "number"):
        latest[r.question_id] = r
    return latest


def participant_answers(*, participant: Participant) -> dict[tuple[int, int], Answer]:
    """The participant's answers keyed by (question id, round) (one query)."""
    return {(a.question_id, a.round): a for a in participant.respondent.answers.all()}


def round_votes(*, session: WorkshopSession, question_id: int) -> dict[int, list[tuple]]:
    """Every round's votes of one question: round → [(perspective, value)] (one query)."""
    rows = Answer.objects.filter(
        respondent__workshop_participant__session=session, question_id=question_id
    ).values_list("round", "respondent__perspective", "value")
    votes: dict[int, list[tuple]] = defaultdict(list)
    for number, perspective, value in rows:
        votes[number].append((perspective, value))
    return dict(votes)


def reveal_summary(*, session: WorkshopSession, question_id: int, number: int) -> dict:
    """What the reveal shows for round ``number``: its figures, and if it is a re-vote the
    first round's figures and the change in agreement (one query)."""
    k = session.assessment.catalogue.min_group_size
    votes = round_votes(session=session, question_id=question_id)
    current = stats.summarise(votes.get(number, []), k)
    first = stats.summarise(votes.get(1, []), k) if number > 1 else None
    return {
        "round": number,
        "current": current,
        "first": first,
        "agreement_change": stats.agreement_change(first, current),
    }


def progress(*, session: WorkshopSession, questions: list[Question]) -> dict:
    """Self-paced progress: votes per question in its latest round, and how many
    participants have answered every question (two queries)."""
    per_round = (
        Answer.objects.filter(respondent__workshop_participant__session=session)
        .values("question_id", "round")
        .annotate(n=Count("id"))
    )
    latest: dict[int, tuple[int, int]] = {}
    for row in per_round:
        number, _n = latest.get(row["question_id"], (0, 0))
        if row["round"] >= number:
            latest[row["question_id"]] = (row["round"], row["n"])
    ids = {q.pk for q in questions}
    done = (
        Answer.objects.filter(
            respondent__workshop_participant__session=session, question_id__in=ids
        )
        .values("respondent_id")
        .annotate(answered=Count("question_id", distinct=True))
        .filter(answered=len(ids))
        .count()
    )
    rows = [{"question": q, "votes": latest.get(q.pk, (1, 0))[1]} for q in questions]
    return {"rows": rows, "finished": done}


def sessions_of(*, assessment) -> list[WorkshopSession]:
    return list(WorkshopSession.objects.filter(assessment=assessment).select_related("section"))


def _question_payload(question: Question, position: int, total: int) -> dict:
    # Both languages: one push reaches phones in German and in English.
    return {
        "id": question.pk,
        "code": question.code,
        "text": {"en": question.text_en, "de": question.text_de},
        "labels": {"en": question.labels_en, "de": question.labels_de},
        "section": {"en": question.section.title_en, "de": question.section.title_de},
        "section_key": question.section.key,
        "position": position,
        "total": total,
    }


def state_key(session: WorkshopSession) -> str:
    """Changes whenever a screen must change more than its counts."""
    return (
        f"{session.status}.{session.mode}.{session.current_question_id}."
        f"{session.current_round}.{session.phase}.{session.prompt_section_id or ''}"
    )


def room_state(*, session: WorkshopSession) -> dict:
    """Everything a phone or the shared screen shows, as plain data: pushed on every
    facilitator action and returned by the state endpoints (a reconnecting phone reads it).
    No figure of the votes before the reveal (blind vote). A fixed number of queries."""
    questions = session_questions(session=session)
    state = {
        "v": state_key(session),
        "status": session.status,
        "mode": session.mode,
        "participants": session.participant_total,
        "votes": 0,
        "question": None,
        "round": session.current_round,
        "phase": session.phase,
        "reveal": None,
        "prompt": None,
    }
    if session.is_self_paced:
        state["v"] = f"{session.status}.{session.mode}.{rounds_signature(session=session)}"
        return state
    index = next((i for i, q in enumerate(questions) if q.pk == session.current_question_id), -1)
    if index >= 0:
        question = questions[index]
        state["question"] = _question_payload(question, index + 1, len(questions))
        state["votes"] = (
            QuestionRound.objects.filter(
                session=session, question_id=question.pk, number=session.current_round
            )
            .values_list("votes", flat=True)
            .first()
            or 0
        )
        if session.phase == "revealed":
            state["reveal"] = reveal_summary(
                session=session, question_id=question.pk, number=session.current_round
            )
    section = prompt_section(session=session)
    if session.prompt and section is not None:
        state["prompt"] = {
            "text": session.prompt,
            "section_key": section.key,
            "section": {"en": section.title_en, "de": section.title_de},
        }
    return state


def prompt_section(*, session: WorkshopSession) -> Section | None:
    """The section the room's open question is about, from the cached catalogue."""
    if not session.prompt_section_id:
        return None
    sections = catalogue_sections(catalogue=session.assessment.catalogue)
    return next((s for s in sections if s.pk == session.prompt_section_id), None)


def shown_voices(*, session: WorkshopSession) -> list[str]:
    """The open answers of the current open question that the facilitator showed."""
    section = prompt_section(session=session)
    if not session.prompt or section is None:
        return []
    return list(
        OpenAnswer.objects.filter(
            session=session,
            section_key=section.key,
            prompt=session.prompt,
            status=OpenAnswerStatus.SHOWN,
        )
        .order_by("shown_at", "id")
        .values_list("text", flat=True)
    )


def pending_answers(*, session: WorkshopSession) -> list[OpenAnswer]:
    return list(
        OpenAnswer.objects.filter(session=session, status=OpenAnswerStatus.PENDING).order_by(
            "created_at", "id"
        )
    )


def open_answers_for(assessment) -> dict[str, list[str]]:
    """The room's shown open answers of an assessment, per section key, oldest first: the
    anonymous voices for the results page and the report (no names, no participant)."""
    voices: dict[str, list[str]] = defaultdict(list)
    rows = (
        OpenAnswer.objects.filter(assessment=assessment, status=OpenAnswerStatus.SHOWN)
        .order_by("shown_at", "id")
        .values_list("section_key", "text")
    )
    for key, text in rows:
        voices[key].append(text)
    return dict(voices)


def own_vote(*, respondent_id: int, question_id: int, number: int) -> str | None:
    """The participant's stored vote in a round ("0".."4", "dk"), or None (one query)."""
    row = (
        Answer.objects.filter(respondent_id=respondent_id, question_id=question_id, round=number)
        .values_list("value")
        .first()
    )
    if row is None:
        return None
    return "dk" if row[0] is None else str(row[0])


def current_target(*, session: WorkshopSession, code: str) -> VoteTarget | None:
    """Facilitator-paced: only the question on the screen, in its current round, takes
    votes; read from the session row (no query). None for a code outside the session."""
    question = session_question(session=session, code=code)
    if question is None:
        return None
    if question.pk != session.current_question_id:
        return VoteTarget(question=question, number=None, revealed=False)
    return VoteTarget(
        question=question, number=session.current_round, revealed=session.phase == "revealed"
    )
