"""Deleting data on purpose: an assessment with everything derived from it, one
respondent's answers and personal data on request (GDPR Art. 17), and the organisation's
retention period. Each is recorded as an ``AuditEvent`` that says who, when, what kind
and how many rows, and keeps none of the erased data.

What is derived from an assessment is found from the models themselves (every model with a
chain of cascading foreign keys to ``Assessment``), so rows of apps added later (workshops,
reports, personal links) are counted and deleted without this module naming them.

Erasure deletes the respondent's row and answers (and, by cascade, anything hanging off the
row, such as a workshop participant): a pseudonymous row kept "for the count" would still be
theirs. The stored result keeps its aggregate figures, which are not personal data; the
person's own entry in the snapshot's inputs is emptied (answers and comments removed, only
the perspective stays) so the report's respondent count still matches its figures.
"""

import datetime
import functools

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scope, scopes_disabled

from . import selectors
from .models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditEvent,
    AuditKind,
    Organisation,
    Respondent,
    ResultSnapshot,
)

# What the confirmation page calls each kind of row (by model label, so this module names
# other apps' models without importing them); other models show their verbose name.
LABELS = {
    "assessments.answer": _("answers"),
    "assessments.respondent": _("respondents"),
    "assessments.consensus": _("consensus values"),
    "assessments.resultsnapshot": _("stored results"),
    "reports.reportrender": _("PDF reports"),
    "reports.chartsvg": _("stored charts"),
    "workshops.workshopsession": _("workshop sessions"),
    "workshops.questionround": _("workshop voting rounds"),
    "workshops.participant": _("workshop participants"),
}


@functools.cache
def cascade_paths() -> tuple[tuple[type[models.Model], str], ...]:
    """Every model whose rows are deleted with an assessment, with the lookup from it to
    the assessment ("respondent__assessment"). Found through the public ``_meta`` API."""
    paths: dict[type[models.Model], str] = {}
    frontier = {Assessment: ""}
    while frontier:
        found = {}
        for model in apps.get_models():
            if model in paths or model is Assessment:
                continue
            for field in model._meta.get_fields():
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    continue
                if field.remote_field.on_delete is not models.CASCADE:
                    continue
                target = field.related_model
                if target in frontier:
                    prefix = frontier[target]
                    found[model] = f"{field.name}__{prefix}" if prefix else field.name
                    break
        paths.update(found)
        frontier = {m: p for m, p in found.items()}
    return tuple(sorted(paths.items(), key=lambda mp: mp[0]._meta.label))


def deletion_counts(*, assessment: Assessment) -> list[dict]:
    """What deleting ``assessment`` removes, per kind of row (nonzero counts only), and the
    plan items that stay but lose their link to it. Call inside the organisation's scope."""
    rows = []
    for model, path in cascade_paths():
        count = model.objects.filter(**{path: assessment}).count()
        if count:
            label = LABELS.get(model._meta.label_lower, model._meta.verbose_name_plural)
            rows.append({"label": str(label), "model": model, "count": count})
    return rows


def _counts_record(rows: list[dict]) -> dict[str, int]:
    return {row["model"]._meta.label_lower: row["count"] for row in rows}


@transaction.atomic
def delete_assessment(*, assessment: Assessment, actor) -> AuditEvent:
    """Delete the assessment and every row derived from it; plan items stay with the
    organisation and lose the link."""
    rows = deletion_counts(assessment=assessment)
    counts = {"assessments.assessment": 1, **_counts_record(rows)}
    counts["plan_items_unlinked"] = assessment.plan_items.count()
    event = AuditEvent.objects.create(
        organisation=assessment.organisation,
        kind=AuditKind.ASSESSMENT_DELETED,
        actor=actor,
        assessment_ref=assessment.pk,
        counts=counts,
    )
    assessment.delete()
    return event


def _empty_entry(entry: dict) -> dict:
    return {**entry, "answers": {}, "comments": {}, "erased": True}


def _blank_snapshot_entry(*, assessment: Assessment, respondent: Respondent, position: int):
    """Empty the respondent's entry in the stored inputs. Entries are pseudonymous (R1, R2,
    ... in row order at close); the entry whose answers equal the person's current answers
    is theirs (identical entries are interchangeable), else the one at their position."""
    snapshot = ResultSnapshot.objects.filter(assessment=assessment).first()
    if snapshot is None:
        return
    entries = snapshot.data.get("inputs", {}).get("respondents", [])
    answers: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for row in selectors.latest_answers(assessment=assessment):
        if row["respondent_id"] == respondent.pk:
            answers[row["question__code"]] = row["value"]
            if row["comment"]:
                comments[row["question__code"]] = row["comment"]
    index = next(
        (
            i
            for i, e in enumerate(entries)
            if not e.get("erased")
            and e.get("perspective") == respondent.perspective
            and e.get("answers") == answers
            and (e.get("comments") or {}) == comments
        ),
        position if position < len(entries) else None,
    )
    if index is None:
        return
    entries[index] = _empty_entry(entries[index])
    snapshot.save(update_fields=["data"])


@transaction.atomic
def erase_respondent(*, respondent: Respondent, actor) -> AuditEvent:
    """Erase one person's answers and personal data from an assessment (GDPR Art. 17)."""
    assessment = respondent.assessment
    position = assessment.respondents.filter(pk__lt=respondent.pk).count()
    _blank_snapshot_entry(assessment=assessment, respondent=respondent, position=position)
    counts = {
        "assessments.respondent": 1,
        "assessments.answer": respondent.answers.count(),
    }
    event = AuditEvent.objects.create(
        organisation=assessment.organisation,
        kind=AuditKind.RESPONDENT_ERASED,
        actor=actor,
        assessment_ref=assessment.pk,
        counts=counts,
    )
    respondent.delete()
    return event


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when
    that month is shorter: 31 May minus 3 months is 28 or 29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


@transaction.atomic
def erase_all_respondents(*, assessment: Assessment) -> AuditEvent | None:
    """The retention period has passed: every respondent's answers and row go, the stored
    result keeps its figures and loses its per-person inputs. None if nothing was left."""
    respondents = assessment.respondents.all()
    count = respondents.count()
    snapshot = ResultSnapshot.objects.filter(assessment=assessment).first()
    entries = snapshot.data.get("inputs", {}).get("respondents", []) if snapshot else []
    personal = [e for e in entries if e.get("answers") or e.get("comments")]
    if not count and not personal:
        return None
    answers = Answer.objects.filter(respondent__assessment=assessment).count()
    if personal:
        snapshot.data["inputs"]["respondents"] = [_empty_entry(e) for e in entries]
        snapshot.save(update_fields=["data"])
    respondents.delete()
    return AuditEvent.objects.create(
        organisation=assessment.organisation,
        kind=AuditKind.RETENTION_APPLIED,
        actor=None,
        assessment_ref=assessment.pk,
        counts={
            "assessments.respondent": count,
            "assessments.answer": answers,
            "snapshot_entries_emptied": len(personal),
        },
    )


def apply_retention(*, now: datetime.datetime | None = None) -> list[AuditEvent]:
    """Erase respondents' data of every closed assessment whose organisation's retention
    period has passed since the close. Safe to run any number of times."""
    now = now or timezone.now()
    with scopes_disabled():
        organisations = list(Organisation.objects.filter(retention_months__isnull=False))
    events = []
    for organisation in organisations:
        cutoff = months_before(now, organisation.retention_months)
        with scope(organisation=organisation):
            due = Assessment.objects.filter(
                organisation=organisation,
                status=AssessmentStatus.CLOSED,
                closed_at__lte=cutoff,
            ).order_by("id")
            for assessment in due:
                event = erase_all_respondents(assessment=assessment)
                if event is not None:
                    events.append(event)
    return events
