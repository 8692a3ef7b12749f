"""Writes. Each service is a plain function with keyword-only arguments that runs in one
transaction and checks the invariants it is responsible for."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
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
def update_organisation(*, organisation, name: str, industry: str, size_band: str, country: str):
    organisation.name = name
    organisation.industry = industry
    organisation.size_band = size_band
    organisation.country = country.upper()
    organisation.save(update_fields=["name", "industry", "size_band", "country"])
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


@transaction.atomic
def create_assessment(
    *,
    organisation,
    created_by,
    title: str,
    catalogue,
    target_stage: int | None,
    respondents: list[tuple],
) -> Assessment:
    assessment = Assessment.objects.create(
        organisation=organisation,
        catalogue=catalogue,
        title=title,
        target_stage=target_stage,
        created_by=created_by,
    )
    Respondent.objects.bulk_create(
        Respondent(assessment=assessment, user=user, perspective=perspective)
        for user, perspective in respondents
    )
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


# Keyed by respondent, question and round: a retry never duplicates an answer, and a click
# older than the stored one (a late retry) changes nothing.
_NEWER_CLICK_WINS = """
ON CONFLICT (respondent_id, question_id, round) DO UPDATE SET
    value = excluded.value,
    comment = excluded.comment,
    client_ts = excluded.client_ts,
    updated_at = excluded.updated_at
WHERE assessments_answer.client_ts < excluded.client_ts
"""

_UPSERT_ANSWER = f"""
INSERT INTO assessments_answer
    (respondent_id, question_id, round, value, comment, client_ts, updated_at)
SELECT %s, %s, %s, %s, %s, %s, %s
WHERE EXISTS (
    SELECT 1 FROM assessments_respondent r
    JOIN assessments_assessment a ON a.id = r.assessment_id
    WHERE r.id = %s AND r.submitted_at IS NULL AND a.status = %s
)
{_NEWER_CLICK_WINS}RETURNING id
"""  # noqa: S608 - composed of constants


def save_answer(
    *,
    respondent: Respondent,
    question: Question,
    value: int | None,
    comment: str = "",
    client_ts: int | None = None,
    round: int = 1,
) -> tuple[Answer, bool]:
    """Store one answer, idempotently. Keyed by (respondent, question, round): a retry of the
    same click changes nothing, and a click older than the stored one is ignored, so retries
    arriving out of order never overwrite a newer answer. Returns (answer, applied)."""
    if value is not None and not (type(value) is int and 0 <= value <= 4):
        raise ValidationError(_("An answer is a whole number from 0 to 4, or “don't know”."))
    ts = client_ts if client_ts is not None else now_ms()
    now = timezone.now()
    # Every click of every respondent and workshop participant lands here, so it is one
    # statement: insert, or update only when this click is newer than the stored one, and
    # only while the respondent may still answer. The database applies it atomically, so
    # concurrent retries of the same click cannot race (same SQL on SQLite and PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT_ANSWER,
            [
                respondent.pk,
                question.pk,
                round,
                value,
                comment,
                ts,
                connection.ops.adapt_datetimefield_value(now),
                respondent.pk,
                AssessmentStatus.OPEN.value,
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        answer = Answer(
            id=row[0],
            respondent=respondent,
            question=question,
            round=round,
            value=value,
            comment=comment,
            client_ts=ts,
            updated_at=now,
        )
        return answer, True
    # Nothing written: the respondent is locked, or a newer click is already stored.
    if not Respondent.objects.filter(
        pk=respondent.pk, submitted_at__isnull=True, assessment__status=AssessmentStatus.OPEN
    ).exists():
        raise AnswerLocked
    return Answer.objects.get(respondent=respondent, question=question, round=round), False


class NotFound(Exception):
    """No such respondent (for this person, assessment and organisation) or question."""


@dataclass(frozen=True)
class Autosaved:
    applied: bool  # False: a newer click of this question was already stored
    answered: int  # the respondent's answered questions, this one included
    updated_at: datetime


# The questionnaire's autosave is the hottest write of the product (one request per click,
# retried until confirmed), so it is one statement: it finds the person's own respondent row
# in the open assessment of the organisation named in the URL, where the person is a member,
# and the question by its code, and inserts or updates the answer only when the click is
# newer than the stored one. Organisation, membership, user and lock are conditions of the
# statement itself, so nothing is written for anyone else.
_AUTOSAVE = f"""
INSERT INTO assessments_answer
    (respondent_id, question_id, round, value, comment, client_ts, updated_at)
SELECT r.id, q.id, 1, %s, %s, %s, %s
FROM assessments_respondent r
JOIN assessments_assessment a ON a.id = r.assessment_id
JOIN assessments_organisation o ON o.id = a.organisation_id
JOIN assessments_membership m ON m.organisation_id = o.id AND m.user_id = r.user_id
JOIN assessments_question q ON q.catalogue_id = a.catalogue_id AND q.code = %s
WHERE o.slug = %s AND r.assessment_id = %s AND r.user_id = %s
    AND r.submitted_at IS NULL AND a.status = %s{_NEWER_CLICK_WINS}RETURNING respondent_id"""  # noqa: S608 - composed of constants
_ANSWERED = "SELECT COUNT(*) FROM assessments_answer WHERE respondent_id = %s AND round = 1"
# PostgreSQL does the progress count in the same round trip. The count sees the table as it
# was before the statement, so a new row (xmax = 0: inserted, not updated) adds one.
_AUTOSAVE_COUNTED = f"""
WITH saved AS ({_AUTOSAVE}, (xmax = 0) AS inserted)
SELECT saved.inserted, (
    SELECT COUNT(*) FROM assessments_answer
    WHERE respondent_id = saved.respondent_id AND round = 1
) FROM saved"""  # noqa: S608 - composed of constants


def autosave_answer(
    *,
    org_slug: str,
    assessment_id: int,
    user,
    question_code: str,
    value: int | None,
    comment: str,
    client_ts: int,
) -> Autosaved:
    """One click of the questionnaire, by the signed-in person, keyed by (respondent,
    question): idempotent, and an older click never overwrites a newer one. Raises NotFound
    (not a member, not this person's questionnaire, or no such question) or AnswerLocked."""
    if value is not None and not (type(value) is int and 0 <= value <= 4):
        raise ValidationError(_("An answer is a whole number from 0 to 4, or “don't know”."))
    now = timezone.now()
    params = [
        value,
        comment,
        client_ts,
        connection.ops.adapt_datetimefield_value(now),
        question_code,
        org_slug,
        assessment_id,
        user.pk,
        AssessmentStatus.OPEN.value,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_AUTOSAVE_COUNTED, params)
            row = cursor.fetchone()
            if row is not None:
                inserted, before = row
                return Autosaved(applied=True, answered=before + inserted, updated_at=now)
        else:
            cursor.execute(_AUTOSAVE, params)
            row = cursor.fetchone()
            if row is not None:
                cursor.execute(_ANSWERED, [row[0]])
                return Autosaved(applied=True, answered=cursor.fetchone()[0], updated_at=now)
    return _why_not_saved(
        org_slug=org_slug, assessment_id=assessment_id, user=user, question_code=question_code
    )


def _why_not_saved(*, org_slug: str, assessment_id: int, user, question_code: str) -> Autosaved:
    """Nothing was written (rare): not theirs (NotFound), locked (AnswerLocked), or a newer
    click of the question is stored already (not applied, and that answer's time)."""
    found = selectors.member_questionnaire(
        org_slug=org_slug, assessment_id=assessment_id, user=user
    )
    if found is None:
        raise NotFound
    respondent, answers = found
    question = Question.objects.filter(
        catalogue_id=respondent.assessment.catalogue_id, code=question_code
    ).first()
    if question is None:
        raise NotFound
    if respondent.submitted_at is not None or not respondent.assessment.is_open:
        raise AnswerLocked
    stored = answers[question.pk]
    return Autosaved(applied=False, answered=len(answers), updated_at=stored.updated_at)


@transaction.atomic
def submit_respondent(*, respondent: Respondent) -> Respondent:
    if respondent.submitted_at is None:
        respondent.submitted_at = timezone.now()
        respondent.save(update_fields=["submitted_at"])
    return respondent


@transaction.atomic
def set_consensus(*, assessment, question, value: int | None, note: str, user) -> Consensus:
    if value is not None and not (type(value) is int and 0 <= value <= 4):
        raise ValidationError(_("An answer is a whole number from 0 to 4, or “don't know”."))
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
    spec = selectors.catalogue_spec(catalogue=assessment.catalogue)
    result = scoring.score(
        spec,
        [
            scoring.ResponseSet(perspective=r["perspective"], answers=r["answers"])
            for r in inputs["respondents"]
        ],
        consensus=inputs["consensus"],
        target_stage=assessment.target_stage,
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
def reopen_assessment(*, assessment: Assessment) -> Assessment:
    """Reopen for changes. The old snapshot stays readable until the next close replaces it."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    assessment.status = AssessmentStatus.OPEN
    assessment.closed_at = None
    assessment.save(update_fields=["status", "closed_at"])
    return assessment
