"""The organisation's action plan: services (writes) and selectors (reads).

Plan items belong to the organisation, not to a result snapshot, so they carry over from one
assessment to the next. The projected stage is never estimated: it is the scoring module's
own result for the stored answers with the questions of the active plan items set to
"largely" (3) where they are below it.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import engagement, narrative, scoring, selectors
from .catalogue import active_catalogue
from .models import (
    Assessment,
    Membership,
    PlanItem,
    PlanStatus,
    Respondent,
    ResultSnapshot,
)

LARGELY = 3  # the answer "largely": what an action aims for
ACTIVE = (PlanStatus.OPEN, PlanStatus.IN_PROGRESS)


# --------------------------------------------------------------------------- services


def _check_owner(*, organisation, owner) -> None:
    if (
        owner is not None
        and not Membership.objects.filter(organisation=organisation, user=owner).exists()
    ):
        raise ValidationError(_("The owner must be a member of the organisation."))


@transaction.atomic
def create_plan_item(
    *,
    organisation,
    created_by,
    title: str,
    question_codes: list[str],
    owner=None,
    owner_name: str = "",
    due_date=None,
    status: str = PlanStatus.OPEN,
    note: str = "",
    assessment: Assessment | None = None,
) -> PlanItem:
    _check_owner(organisation=organisation, owner=owner)
    return PlanItem.objects.create(
        organisation=organisation,
        assessment=assessment,
        created_by=created_by,
        title=title,
        question_codes=list(question_codes),
        owner=owner,
        owner_name="" if owner is not None else owner_name,
        due_date=due_date,
        status=status,
        note=note,
    )


@transaction.atomic
def update_plan_item(
    *,
    item: PlanItem,
    title: str,
    question_codes: list[str],
    owner=None,
    owner_name: str = "",
    due_date=None,
    status: str,
    note: str,
) -> PlanItem:
    _check_owner(organisation=item.organisation, owner=owner)
    item.title = title
    item.question_codes = list(question_codes)
    item.owner = owner
    item.owner_name = "" if owner is not None else owner_name
    item.due_date = due_date
    item.status = status
    item.note = note
    item.save()
    return item


@transaction.atomic
def set_plan_status(*, item: PlanItem, status: str) -> PlanItem:
    if status not in PlanStatus.values:
        raise ValidationError(_("Unknown status."))
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    return item


_YEAR = re.compile(r"\b(19|20)(\d\d)\b")


def next_title(title: str) -> str:
    """ "Standortbestimmung 2026" becomes "Standortbestimmung 2027" (the last year in the
    title, plus one); a title without a year gets "(follow-up)"."""
    years = list(_YEAR.finditer(title))
    if years:
        last = years[-1]
        year = int(last.group(0)) + 1
        return f"{title[: last.start()]}{year}{title[last.end() :]}"[:200]
    suffix = _(" (follow-up)")
    return f"{title[: 200 - len(suffix)]}{suffix}"


@transaction.atomic
def start_next_assessment(*, assessment: Assessment, created_by) -> Assessment:
    """A new open assessment after ``assessment``: the next title, the same target, the same
    members with their perspectives, on the newest catalogue version. Answers are not
    copied; the plan carries over by itself (it belongs to the organisation)."""
    catalogue = active_catalogue() or assessment.catalogue
    new = Assessment.objects.create(
        organisation=assessment.organisation,
        catalogue=catalogue,
        title=next_title(assessment.title),
        target_stage=assessment.target_stage,
        created_by=created_by,
    )
    # Only people who are still members: a removed member is not asked again.
    members = set(
        Membership.objects.filter(organisation=assessment.organisation).values_list(
            "user_id", flat=True
        )
    )
    Respondent.objects.bulk_create(
        Respondent(assessment=new, user_id=r.user_id, perspective=r.perspective)
        for r in assessment.respondents.filter(user__isnull=False).order_by("id")
        if r.user_id in members
    )
    # Respondents without accounts come along with a new personal link each; their
    # invitations go out when the owner sends them from the participation page (the
    # deadline is the new assessment's to set first). Erased ones (no e-mail) stay behind.
    link_rows = [
        {"name": r.name, "email": r.email, "perspective": r.perspective, "language": r.language}
        for r in assessment.respondents.filter(user__isnull=True).exclude(email="").order_by("id")
    ]
    if link_rows:
        engagement.add_respondents(assessment=new, rows=link_rows, invite=False)
    return new


# --------------------------------------------------------------------------- selectors


def plan_items(*, organisation):
    """All plan items of the organisation: open, in progress, done, dropped; each by due
    date (one query)."""
    return _sorted(
        list(
            PlanItem.objects.filter(organisation=organisation).select_related("owner", "assessment")
        )
    )


def _sorted(items: list[PlanItem]) -> list[PlanItem]:
    rank = {s: i for i, s in enumerate(PlanStatus.values)}
    return sorted(
        items,
        key=lambda i: (rank[i.status], i.due_date is None, i.due_date or 0, i.pk),
    )


def plan_rows(*, organisation) -> list[dict]:
    """The plan as plain rows, for the exports and the PDF (one query). Call inside the
    reader's language: the status is a translated label."""
    rows = []
    for item in plan_items(organisation=organisation):
        rows.append(
            {
                "title": item.title,
                "questions": list(item.question_codes),
                "owner": item.owner_label,
                "due_date": item.due_date,
                "status": item.status,
                "status_label": item.get_status_display(),
                "note": item.note,
                "assessment": item.assessment.title if item.assessment else "",
            }
        )
    return rows


def projected_stage(*, snapshot: ResultSnapshot, spec, items: list[PlanItem]) -> dict | None:
    """The stage the scoring gives if every question of an active plan item reached
    "largely": consensus values of 3 for those questions whose stored value is below 3 (or
    unanswered), everything else as stored. None when the snapshot cannot be re-scored.
    The label is in the active language."""
    result = snapshot.data["result"]
    inputs = snapshot.data.get("inputs") or {}
    questions = result.get("questions", {})
    raised: dict[str, int] = {}
    for item in items:
        if item.status not in ACTIVE:
            continue
        for code in item.question_codes:
            if code not in questions:
                continue  # a code of another catalogue version
            value = questions[code]["value"]
            if value is None or value < LARGELY:
                raised[code] = LARGELY
    current = result["stage"]["index"]
    if not raised:
        return {
            "index": current,
            "label": narrative.stage_label(current),
            "position": result["position"],
            "raised": [],
            "changed": False,
        }
    respondents = [
        scoring.ResponseSet(perspective=r["perspective"], answers=r["answers"])
        for r in inputs.get("respondents", [])
    ]
    try:
        projected = scoring.score(
            spec,
            respondents,
            consensus={**(inputs.get("consensus") or {}), **raised},
            target_stage=inputs.get("target_stage"),
        )
    except scoring.ScoringError:
        return None
    return {
        "index": projected["stage"]["index"],
        "label": narrative.stage_label(projected["stage"]["index"]),
        "position": projected["position"],
        "raised": sorted(raised),
        "changed": projected["stage"]["index"] != current,
    }


def suggestions(*, result: dict, items: list[PlanItem]) -> list[str]:
    """Question codes the result names as the way to the next stage that no active plan
    item covers yet: method 2's ``next_stage_path`` when present, else the blockers."""
    path = result.get("next_stage_path") or {}
    codes = path.get("questions") if isinstance(path, dict) else None
    if codes is None:
        codes = result.get("blockers", [])[:5]
    planned = {c for i in items if i.status in ACTIVE for c in i.question_codes}
    return [c for c in codes if c not in planned]


def plan_progress(*, snapshot: ResultSnapshot, items: list[PlanItem]) -> list[dict]:
    """For plan items that came from an earlier assessment: per question, its value in
    that assessment's result and in this one (one query for the earlier snapshots)."""
    now = snapshot.data["result"].get("questions", {})
    origins = {
        i.assessment_id
        for i in items
        if i.assessment_id is not None and i.assessment_id != snapshot.assessment_id
    }
    then_by_assessment = {
        s.assessment_id: s.data["result"].get("questions", {})
        for s in ResultSnapshot.objects.filter(assessment_id__in=origins).only(
            "assessment_id", "data"
        )
    }
    rows = []
    for item in _sorted(items):
        then = then_by_assessment.get(item.assessment_id)
        if then is None:
            continue
        for code in item.question_codes:
            before = then.get(code, {}).get("value")
            after = now.get(code, {}).get("value") if code in now else None
            change = after - before if before is not None and after is not None else None
            rows.append(
                {"item": item, "code": code, "then": before, "now": after, "change": change}
            )
    return rows


def plan_report(*, assessment: Assessment, snapshot: ResultSnapshot) -> dict:
    """The plan for the PDF report as plain data: the rows (``plan_rows``), the projected
    stage (index, position, raised question codes, or None) and the progress on the plan's
    questions since the assessment each action came from. Call inside the report's
    language and the organisation's scope."""
    context = results_plan(assessment=assessment, snapshot=snapshot)
    return {
        "rows": plan_rows(organisation=assessment.organisation),
        "projected": context["plan_projected"],
        "progress": [
            {
                "code": row["code"],
                "title": row["item"].title,
                "then": row["then"],
                "now": row["now"],
                "change": row["change"],
            }
            for row in context["plan_progress"]
        ],
    }


def results_plan(*, assessment: Assessment, snapshot: ResultSnapshot | None) -> dict:
    """Everything the plan partial on the results page shows."""
    organisation = assessment.organisation
    items = plan_items(organisation=organisation)
    context = {"plan_items": items, "plan_projected": None, "plan_progress": []}
    if snapshot is None:
        return context
    spec = selectors.catalogue_spec(catalogue=assessment.catalogue)
    context["plan_projected"] = projected_stage(snapshot=snapshot, spec=spec, items=items)
    context["plan_progress"] = plan_progress(snapshot=snapshot, items=items)
    context["plan_suggestions"] = suggestions(result=snapshot.data["result"], items=items)
    return context
