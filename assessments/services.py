"""Writes. Each service is a plain function with keyword-only arguments that runs in one
transaction and checks the invariants it is responsible for."""

import functools
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import scoring, selectors
from .models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Consensus,
    ContextAnswer,
    Invitation,
    Membership,
    Organisation,
    Question,
    Respondent,
    ResultSnapshot,
    Role,
)


class AnswerLocked(Exception):
    """The respondent submitted, or the assessment is closed: answers can no longer change."""


def now_ms() -> int:
    return int(time.time() * 1000)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_organisation(*, user, name: str, industry: str = "", size_band: str, country: str):
    organisation = Organisation.objects.create(
        name=name,
        slug=_unique_slug(name),
        industry=industry,
        size_band=size_band,
        country=country.upper(),
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    return organisation


@transaction.atomic
def update_organisation(
    *,
    organisation,
    name: str,
    industry: str,
    size_band: str,
    country: str,
    retention_months: int | None,
):
    organisation.name = name
    organisation.industry = industry
    organisation.size_band = size_band
    organisation.country = country.upper()
    organisation.retention_months = retention_months
    organisation.save(
        update_fields=["name", "industry", "size_band", "country", "retention_months"]
    )
    return organisation


def invite_member(*, organisation, email: str, role: str, invited_by, accept_url_for) -> Invitation:
    """Create an invitation for one e-mail address and send its link. ``accept_url_for(token)``
    builds the absolute link (the view knows the host). The link works for
    ``INVITATION_DAYS`` days, and only for an account with that address."""
    now = timezone.now()
    days = settings.INVITATION_DAYS
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email.lower(),
            role=role,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    context = {
        "organisation": organisation,
        "role": invitation.get_role_display(),
        "url": accept_url_for(invitation.token),
        "invited_by": invited_by.get_full_name() or invited_by.get_username(),
        "email": invitation.email,
        "days": days,
    }
    send_mail(
        subject=_("Invitation to %(organisation)s on Co-Creation Compass")
        % {"organisation": organisation.name},
        message=render_to_string("assessments/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )
    return invitation


def invitation_problem(state: str) -> str:
    """Why an invitation in this state cannot be accepted (in the active language)."""
    return {
        "accepted": _("This invitation has already been used."),
        "revoked": _("This invitation has been withdrawn."),
        "expired": _("This invitation has expired."),
    }[state]


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user) -> Membership:
    """Join the invitation's organisation. Only a pending invitation, and only for the
    account with the invited e-mail address; the row is locked so a double click or a
    concurrent withdrawal cannot slip between the check and the write."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise ValidationError(invitation_problem(invitation.state), code=invitation.state)
    if not invitation.is_for(user):
        raise ValidationError(
            _("This invitation was sent to %(email)s.") % {"email": invitation.email},
            code="other_address",
        )
    membership = Membership.objects.filter(user=user, organisation=invitation.organisation).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation: its link then says so. A used one stays as it is."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(invitation_problem("accepted"), code="accepted")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def _ensure_an_owner_remains(membership: Membership) -> None:
    others = (
        Membership.objects.filter(organisation=membership.organisation, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )
    if membership.role == Role.OWNER and not others:
        raise ValidationError(_("An organisation needs at least one owner."))


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.OWNER:
        _ensure_an_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    _ensure_an_owner_remains(membership)
    membership.delete()


def create_assessment(
    *,
    organisation,
    created_by,
    title: str,
    catalogue,
    target_stage: int | None,
    respondents: list[tuple],
    creation_token: uuid.UUID | None = None,
) -> Assessment:
    """Create an assessment with its respondents. ``creation_token`` is the one-time token of
    the form that asks for it: the same form submitted again (a double click, a reload)
    returns the assessment it created instead of a second one."""
    if creation_token is not None:
        existing = selectors.created_assessment(
            organisation=organisation, creation_token=creation_token
        )
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                organisation=organisation,
                catalogue=catalogue,
                title=title,
                target_stage=target_stage,
                created_by=created_by,
                creation_token=creation_token,
            )
            Respondent.objects.bulk_create(
                Respondent(assessment=assessment, user=user, perspective=perspective)
                for user, perspective in respondents
            )
    except IntegrityError:
        # The same form's other submit won the race to the unique token.
        existing = selectors.created_assessment(
            organisation=organisation, creation_token=creation_token
        )
        if creation_token is None or existing is None:
            raise
        return existing
    return assessment


@transaction.atomic
def update_assessment(
    *, assessment: Assessment, title: str, target_stage: int | None, respondents: list[tuple]
) -> None:
    """Change title and target, and set who answers: new people are added, perspectives
    updated, and people removed only if they have not answered yet (nothing a person
    submitted is lost)."""
    assessment.title = title
    assessment.target_stage = target_stage
    assessment.save(update_fields=["title", "target_stage"])
    wanted = {user.pk: perspective for user, perspective in respondents}
    existing = {r.user_id: r for r in assessment.respondents.filter(user__isnull=False)}
    for user_id, respondent in existing.items():
        if user_id not in wanted:
            if respondent.answers.exists():
                raise ValidationError(
                    _("%(name)s has already answered and cannot be removed.")
                    % {"name": respondent.user.get_full_name() or respondent.user.get_username()}
                )
            respondent.delete()
        elif respondent.perspective != wanted[user_id]:
            respondent.perspective = wanted[user_id]
            respondent.save(update_fields=["perspective"])
    Respondent.objects.bulk_create(
        Respondent(assessment=assessment, user_id=user_id, perspective=perspective)
        for user_id, perspective in wanted.items()
        if user_id not in existing
    )


def _check_value(value) -> None:
    if value is not None and not (type(value) is int and 0 <= value <= 4):
        raise ValidationError(_("An answer is a whole number from 0 to 4, or “don't know”."))


# The answer path's two reads are written as SQL. Every click of the questionnaire and
# every workshop vote runs them (a room's votes arrive within seconds), and the ORM spends
# several times longer building each of them than the database spends running it. They are
# keyed by the respondent the caller found in its organisation's scope; table names come
# from the models, values are parameters.

ANSWER_READ_FIELDS = (
    "id",
    "respondent_id",
    "question_id",
    "round",
    "value",
    "comment",
    "client_ts",
)


@functools.cache
def _lock_sql() -> str:
    """The respondent's row, locked (PostgreSQL: only that row, not the assessment's; SQLite
    takes the write lock when the transaction begins), while they may still answer."""
    respondents, assessments = Respondent._meta.db_table, Assessment._meta.db_table
    sql = (
        f"SELECT r.id FROM {respondents} r INNER JOIN {assessments} a ON a.id = r.assessment_id"  # noqa: S608
        " WHERE r.id = %s AND r.assessment_id = %s AND r.submitted_at IS NULL AND a.status = %s"
    )
    if connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF r"
    return sql


@functools.cache
def _answer_sql() -> str:
    return (
        f"SELECT {', '.join(ANSWER_READ_FIELDS)} FROM {Answer._meta.db_table}"  # noqa: S608
        " WHERE respondent_id = %s AND question_id = %s AND round = %s"
    )


def _lock_while_open(respondent: Respondent) -> None:
    """Lock the respondent's row for the rest of the transaction, if they may still answer;
    else raise AnswerLocked. A submit, or a workshop's close (which marks its respondents
    submitted), waits for an answer being written, and no answer lands after either. The
    caller's idea of the assessment must agree with the row: a workshop vote names its
    respondent by a signed cookie and its assessment by the session."""
    with connection.cursor() as cursor:
        cursor.execute(
            _lock_sql(), [respondent.pk, respondent.assessment_id, AssessmentStatus.OPEN]
        )
        if cursor.fetchone() is None:
            raise AnswerLocked


def _stored_answer(*, respondent_id: int, question_id: int, round: int) -> Answer | None:
    """The stored answer of one round (its time of change left deferred)."""
    with connection.cursor() as cursor:
        cursor.execute(_answer_sql(), [respondent_id, question_id, round])
        row = cursor.fetchone()
    if row is None:
        return None
    return selectors.from_row(Answer, dict(zip(ANSWER_READ_FIELDS, row, strict=True)))


class StoredAnswer(NamedTuple):
    answer: Answer
    applied: bool  # this save changed what is stored
    created: bool  # this save added the row (the first answer in this round)


def store_answer(
    *,
    respondent: Respondent,
    question: Question,
    value: int | None,
    comment: str = "",
    client_ts: int | None = None,
    round: int = 1,
    on_created: Callable[[], None] | None = None,
) -> StoredAnswer:
    """Store one answer, idempotently, keyed by (respondent, question, round).

    ``client_ts`` is the time of the click in the browser's milliseconds, and the newer click
    wins: a retry of the same click changes nothing, and a click older than the stored one
    (a late retry, another device) is not applied, so retries arriving out of order never
    overwrite a newer answer. A click time later than the server's now counts as now: a
    device whose clock runs ahead cannot freeze the answer. Without ``client_ts`` (a plain
    form post) the save is the person's latest intent and always applies.

    ``on_created`` runs in the same transaction when this save adds the row (a workshop vote
    counts its voter): the respondent's row lock holds until it commits, so two requests of
    the same person at once cannot both be the first.

    Raises AnswerLocked once the respondent submitted or the assessment closed."""
    _check_value(value)
    now = now_ms()
    ts = now if client_ts is None else max(0, min(client_ts, now))
    with transaction.atomic():
        _lock_while_open(respondent)
        answer = _stored_answer(respondent_id=respondent.pk, question_id=question.pk, round=round)
        if answer is None:
            answer = Answer.objects.create(
                respondent=respondent,
                question=question,
                round=round,
                value=value,
                comment=comment,
                client_ts=ts,
            )
            if on_created is not None:
                on_created()
            return StoredAnswer(answer, True, True)
        if client_ts is not None and answer.client_ts >= ts:
            return StoredAnswer(answer, False, False)
        answer.value, answer.comment, answer.client_ts = value, comment, ts
        answer.save(update_fields=["value", "comment", "client_ts", "updated_at"])
        return StoredAnswer(answer, True, False)


def save_answer(**fields) -> tuple[Answer, bool]:
    """``store_answer`` (the same keyword arguments), returning the stored answer and whether
    this save was applied."""
    stored = store_answer(**fields)
    return stored.answer, stored.applied


def save_context_answers(*, respondent: Respondent, answers: dict) -> None:
    """Store a respondent's answers to the context questions: ``{ContextQuestion: option
    key or None}``; None removes an answer (the questions are optional). All or nothing:
    an option the question does not offer raises ValueError before anything is written.
    Unscored: nothing here touches answers or results. Raises AnswerLocked."""
    for question, option in answers.items():
        if option is not None and option not in {o["key"] for o in question.options}:
            raise ValueError(f"{option!r} is not an option of {question.code}")
    with transaction.atomic():
        _lock_while_open(respondent)
        cleared = [q.pk for q, option in answers.items() if option is None]
        ContextAnswer.objects.filter(respondent=respondent, question_id__in=cleared).delete()
        for question, option in answers.items():
            if option is not None:
                ContextAnswer.objects.update_or_create(
                    respondent=respondent, question=question, defaults={"option": option}
                )


def save_answers(
    *, respondent: Respondent, answers: list[tuple[Question, int | None, str]]
) -> None:
    """Store (question, value, comment) triples that a person submitted together (the
    questionnaire's plain form, without JavaScript): their latest intent, applied over any
    stored click. Four queries, whatever the number of answers. Raises AnswerLocked."""
    for _question, value, _comment in answers:
        _check_value(value)
    ts, now = now_ms(), timezone.now()
    with transaction.atomic():
        _lock_while_open(respondent)
        stored = {
            answer.question_id: answer
            for answer in Answer.objects.filter(
                respondent=respondent, round=1, question__in=[q for q, _v, _c in answers]
            )
        }
        new, changed = [], []
        for question, value, comment in answers:
            answer = stored.get(question.pk)
            if answer is None:
                new.append(
                    Answer(
                        respondent=respondent,
                        question=question,
                        value=value,
                        comment=comment,
                        client_ts=ts,
                    )
                )
            else:
                answer.value, answer.comment, answer.client_ts = value, comment, ts
                answer.updated_at = now  # bulk_update does not run auto_now
                changed.append(answer)
        Answer.objects.bulk_create(new)
        Answer.objects.bulk_update(changed, ["value", "comment", "client_ts", "updated_at"])


@transaction.atomic
def submit_respondent(*, respondent: Respondent) -> Respondent:
    if respondent.submitted_at is None:
        respondent.submitted_at = timezone.now()
        respondent.save(update_fields=["submitted_at"])
    return respondent


@transaction.atomic
def set_consensus(*, assessment, question, value: int | None, note: str, user) -> Consensus:
    _check_value(value)
    consensus, _created = Consensus.objects.update_or_create(
        assessment=assessment,
        question=question,
        defaults={"value": value, "note": note, "set_by": user, "set_at": timezone.now()},
    )
    return consensus


@transaction.atomic
def clear_consensus(*, assessment, question) -> None:
    Consensus.objects.filter(assessment=assessment, question=question).delete()


def compute_result(*, assessment: Assessment) -> tuple[dict, dict]:
    """Score the live answers of an assessment: returns (inputs, result)."""
    inputs = selectors.scoring_inputs(assessment=assessment)
    result = selectors.score_inputs(
        catalogue=assessment.catalogue, inputs={**inputs, "target_stage": assessment.target_stage}
    )
    return inputs, result


@transaction.atomic
def close_assessment(*, assessment: Assessment) -> ResultSnapshot:
    """Close and store the result snapshot that results pages and reports read."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_open:
        raise ValidationError(_("This assessment is already closed."))
    inputs, result = compute_result(assessment=assessment)
    catalogue = assessment.catalogue
    # Snapshots are language-neutral; labels are looked up when rendering.
    with translation.override("en"):
        ResultSnapshot.objects.filter(assessment=assessment).delete()
        snapshot = ResultSnapshot.objects.create(
            assessment=assessment,
            catalogue_version=f"{catalogue.slug} {catalogue.version}",
            method=scoring.METHOD,
            data={
                "inputs": inputs,
                "result": result,
                "rounds": selectors.round_summary(assessment=assessment),
            },
        )
    assessment.status = AssessmentStatus.CLOSED
    assessment.closed_at = snapshot.created_at
    assessment.save(update_fields=["status", "closed_at"])
    return snapshot


@transaction.atomic
def recompute_result(*, assessment: Assessment) -> ResultSnapshot:
    """Recompute a closed assessment's stored result with the current scoring method, from
    the answers stored in its snapshot (not the live rows, which a reopen could change).

    The earlier result moves to ``data["previous"]`` (newest first) with its method and
    when it was computed, so it stays readable; the snapshot's ``created_at`` (the close)
    is kept. A snapshot already computed with the current method is left as it is."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_open:
        raise ValidationError(_("Only a closed assessment can be recomputed."))
    snapshot = ResultSnapshot.objects.select_for_update().filter(assessment=assessment).first()
    if snapshot is None:
        raise ValidationError(_("This assessment has no stored result to recompute."))
    if snapshot.method == scoring.METHOD:
        return snapshot
    data = snapshot.data
    result = selectors.score_inputs(catalogue=assessment.catalogue, inputs=data["inputs"])
    now = timezone.now()
    earlier = {
        "method": snapshot.method,
        "computed_at": data.get("computed_at") or snapshot.created_at.isoformat(),
        "result": data["result"],
    }
    snapshot.data = {
        **data,
        "result": result,
        "computed_at": now.isoformat(),
        "previous": [earlier, *data.get("previous", [])],
    }
    snapshot.method = scoring.METHOD
    snapshot.save(update_fields=["data", "method"])
    return snapshot


@transaction.atomic
def reopen_assessment(*, assessment: Assessment) -> Assessment:
    """Reopen for changes. The old snapshot stays readable until the next close replaces it."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    assessment.status = AssessmentStatus.OPEN
    assessment.closed_at = None
    assessment.save(update_fields=["status", "closed_at"])
    return assessment
