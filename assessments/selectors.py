"""Reads. Each selector fetches what a page needs in a fixed number of queries, whatever the
number of questions and respondents (guarded by django_assert_num_queries tests)."""

import uuid
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Prefetch, Q

from . import scoring
from .models import (
    Answer,
    Assessment,
    Catalogue,
    Consensus,
    Membership,
    Question,
    Respondent,
    ResultSnapshot,
    Section,
)

_SECTIONS: dict[tuple, list[Section]] = {}
_CATALOGUES: dict[tuple, Catalogue] = {}


def from_row(model, values: dict):
    """A model instance from columns read by hand (``values``: attname → value, as the
    database returned them); the other fields are deferred. ``Model.from_db`` wants the
    values in the order of the model's columns."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def catalogue_sections(*, catalogue: Catalogue) -> list[Section]:
    """Sections with their questions (two queries the first time). A loaded catalogue
    version never changes (a change is a new version, or a reload with a new checksum and
    load time), so each process keeps them; the questionnaire is read on every click."""
    key = (catalogue.pk, catalogue.checksum, catalogue.loaded_at)
    sections = _SECTIONS.get(key)
    if sections is None:
        sections = list(
            Section.objects.filter(catalogue=catalogue).prefetch_related(
                Prefetch("questions", queryset=Question.objects.order_by("order"))
            )
        )
        if len(_SECTIONS) > 32:
            _SECTIONS.clear()
        _SECTIONS[key] = sections
    return sections


def catalogue_in_use(*, pk: int, version: tuple) -> Catalogue:
    """The catalogue ``pk`` as this process keeps it, for a caller that read only its id and
    ``version`` (its checksum and load time, as the database returned them). A catalogue in
    use never changes (catalogue.load refuses to), and a reload of one nobody uses has a new
    checksum and load time, so it is read anew."""
    key = (pk, *version)
    catalogue = _CATALOGUES.get(key)
    if catalogue is None:
        catalogue = Catalogue.objects.get(pk=pk)
        if len(_CATALOGUES) > 32:
            _CATALOGUES.clear()
        _CATALOGUES[key] = catalogue
    return catalogue


def catalogue_spec(*, catalogue: Catalogue) -> scoring.CatalogueSpec:
    from .catalogue import spec_from_catalogue

    return spec_from_catalogue(catalogue)


def score_inputs(*, catalogue: Catalogue, inputs: dict) -> dict:
    """Score stored inputs (the form ``scoring_inputs`` returns) with the current method."""
    return scoring.score(
        catalogue_spec(catalogue=catalogue),
        [
            scoring.ResponseSet(perspective=r["perspective"], answers=r["answers"])
            for r in inputs["respondents"]
        ],
        consensus=inputs.get("consensus") or {},
        target_stage=inputs.get("target_stage"),
    )


def result_for_comparison(*, snapshot: ResultSnapshot) -> dict:
    """A snapshot's result computed with the current method, for comparing progress: the
    stored one if its method is current, else recomputed from the stored answers (not
    stored). ``result["method"]`` tells which; compare ``snapshot.method`` to say so."""
    if snapshot.method == scoring.METHOD:
        return snapshot.data["result"]
    return score_inputs(catalogue=snapshot.assessment.catalogue, inputs=snapshot.data["inputs"])


def previous_snapshot(*, snapshot: ResultSnapshot) -> ResultSnapshot | None:
    """The organisation's most recent result stored before this one, of another assessment
    (one query). Progress on the results page and in the report compares against it."""
    assessment = snapshot.assessment
    return (
        ResultSnapshot.objects.filter(
            assessment__organisation_id=assessment.organisation_id,
            created_at__lt=snapshot.created_at,
        )
        .exclude(assessment_id=assessment.pk)
        .select_related("assessment__catalogue")
        .order_by("-created_at", "-id")
        .first()
    )


def comparable_results(*, snapshot: ResultSnapshot, previous: ResultSnapshot) -> dict:
    """The two results to compare for progress, computed with the same method: stored
    results when their methods match, else both with the current method (an older one is
    recomputed from its stored answers, not stored). ``recomputed_now`` /
    ``recomputed_then`` say which one was recomputed, so the reader can be told."""
    if snapshot.method == previous.method:
        return {
            "now": snapshot.data["result"],
            "then": previous.data["result"],
            "recomputed_now": False,
            "recomputed_then": False,
        }
    return {
        "now": result_for_comparison(snapshot=snapshot),
        "then": result_for_comparison(snapshot=previous),
        "recomputed_now": snapshot.method != scoring.METHOD,
        "recomputed_then": previous.method != scoring.METHOD,
    }


def latest_answers(*, assessment: Assessment) -> list[dict]:
    """Every respondent's latest-round answer per question, as plain rows (one query)."""
    rows = (
        Answer.objects.filter(respondent__assessment=assessment)
        .order_by("respondent_id", "question_id", "round")
        .values("respondent_id", "question__code", "value", "comment", "round")
    )
    latest: dict[tuple[int, str], dict] = {}
    for row in rows:
        latest[(row["respondent_id"], row["question__code"])] = row
    return list(latest.values())


def scoring_inputs(*, assessment: Assessment) -> dict:
    """The answers of an assessment in the form the scoring module and the snapshot take.
    Respondents are pseudonymised (R1, R2, ...); names never leave the database."""
    respondents = list(assessment.respondents.order_by("id").values("id", "perspective"))
    alias = {r["id"]: f"R{i}" for i, r in enumerate(respondents, start=1)}
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    comments: dict[int, dict[str, str]] = defaultdict(dict)
    for row in latest_answers(assessment=assessment):
        answers[row["respondent_id"]][row["question__code"]] = row["value"]
        if row["comment"]:
            comments[row["respondent_id"]][row["question__code"]] = row["comment"]
    consensus = {
        c["question__code"]: c["value"]
        for c in Consensus.objects.filter(assessment=assessment).values("question__code", "value")
    }
    return {
        "respondents": [
            {
                "id": alias[r["id"]],
                "perspective": r["perspective"],
                "answers": answers.get(r["id"], {}),
                "comments": comments.get(r["id"], {}),
            }
            for r in respondents
        ],
        "consensus": consensus,
        "target_stage": assessment.target_stage,
    }


def created_assessment(*, organisation, creation_token: uuid.UUID) -> Assessment | None:
    """The assessment that the "new assessment" form with this one-time token created."""
    return Assessment.objects.filter(
        organisation=organisation, creation_token=creation_token
    ).first()


def assessments_for(*, membership: Membership):
    """The assessments a member sees on the organisation page, with respondent counts."""
    qs = Assessment.objects.filter(organisation=membership.organisation).select_related("catalogue")
    if membership.role == "respondent":
        qs = qs.filter(respondents__user=membership.user)
    return qs.annotate(
        respondent_count=Count("respondents", distinct=True),
        submitted_count=Count(
            "respondents", filter=Q(respondents__submitted_at__isnull=False), distinct=True
        ),
    )


def respondent_progress(*, assessment: Assessment) -> list[dict]:
    """Per respondent: perspective, answered count, submitted (one query)."""
    rows = (
        assessment.respondents.select_related("user")
        .annotate(answered=Count("answers__question", distinct=True))
        .order_by("id")
    )
    return list(rows)


def own_respondent(*, organisation, assessment_id: int, user) -> Respondent | None:
    """The signed-in person's respondent row in this organisation's assessment, with the
    assessment and its catalogue (one query). None: not theirs."""
    respondent = (
        Respondent.objects.select_related("assessment__catalogue")
        .filter(assessment_id=assessment_id, assessment__organisation=organisation, user=user)
        .first()
    )
    if respondent is not None:
        respondent.assessment.organisation = organisation
        respondent.user = user
    return respondent


def own_questionnaire(
    *, organisation, assessment_id: int, user
) -> tuple[Respondent, dict[int, Answer]] | None:
    """``own_respondent`` and its questionnaire answers keyed by question id (two queries).
    None: not theirs."""
    respondent = own_respondent(organisation=organisation, assessment_id=assessment_id, user=user)
    if respondent is None:
        return None
    answers = {answer.question_id: answer for answer in respondent.answers.filter(round=1)}
    return respondent, answers


def answered_count(*, respondent: Respondent) -> int:
    """How many questions the respondent has answered in the questionnaire (one query)."""
    return respondent.answers.filter(round=1).count()


def catalogue_question(*, catalogue: Catalogue, code: str) -> Question | None:
    """A question of the catalogue by its code (from ``catalogue_sections``: no query once
    the process has read the catalogue)."""
    for section in catalogue_sections(catalogue=catalogue):
        for question in section.questions.all():
            if question.code == code:
                return question
    return None


def round_summary(*, assessment: Assessment) -> dict[str, list[dict]]:
    """For questions voted on in more than one round (workshops): per round the number of
    answers and agreement (r_wg), so the change in agreement can be shown (one query)."""
    votes: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = Answer.objects.filter(respondent__assessment=assessment).values_list(
        "question__code", "round", "value"
    )
    for code, number, value in rows:
        bucket = votes[code][number]
        if value is not None:
            bucket.append(value)
    summary = {}
    for code, rounds in votes.items():
        if len(rounds) < 2:
            continue
        summary[code] = []
        for number in sorted(rounds):
            summary[code].append(
                {
                    "round": number,
                    "n": len(rounds[number]),
                    "agreement": scoring.agreement(rounds[number]),
                }
            )
    return summary


def get_assessment(request, pk) -> Assessment:
    """The assessment ``pk`` of the URL's organisation (``request.organisation``, set by
    org_view), with its catalogue and organisation; another organisation's id is a 404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Assessment.objects.select_related("catalogue", "organisation"),
        pk=pk,
        organisation=request.organisation,
    )
