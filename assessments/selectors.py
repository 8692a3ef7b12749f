"""Reads. Each selector fetches what a page needs in a fixed number of queries, whatever the
number of questions and respondents (guarded by django_assert_num_queries tests)."""

import functools
from collections import defaultdict

from django.db import connection, models
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
    Section,
)

_SECTIONS: dict[tuple, list[Section]] = {}


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


def catalogue_spec(*, catalogue: Catalogue) -> scoring.CatalogueSpec:
    from .catalogue import spec_from_catalogue

    return spec_from_catalogue(catalogue)


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


class _Columns:
    """The columns of some models in one plain SELECT, and how to turn a row back into
    model instances with the ORM's own converters (aware datetimes on SQLite, and so on)."""

    def __init__(self, *tables: tuple[str, type[models.Model]]):
        # Everything a row needs is worked out once: where each model's columns start, its
        # primary key's position, field names and the converters with their columns.
        self.parts = []
        start = 0
        for alias, model in tables:
            fields = list(model._meta.concrete_fields)
            converters = []
            for i, field in enumerate(fields):
                col = field.get_col(model._meta.db_table)
                convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if convs:
                    converters.append((i, col, convs))
            self.parts.append(
                {
                    "alias": alias,
                    "model": model,
                    "fields": fields,
                    "names": [f.attname for f in fields],
                    "start": start,
                    "pk": fields.index(model._meta.pk),
                    "converters": converters,
                }
            )
            start += len(fields)

    def select(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(
            f"{part['alias']}.{quote(field.column)}"
            for part in self.parts
            for field in part["fields"]
        )

    def instance(self, row, index: int) -> models.Model | None:
        """The instance of the index-th model in a row; None where a LEFT JOIN found none."""
        part = self.parts[index]
        values = list(row[part["start"] : part["start"] + len(part["fields"])])
        if values[part["pk"]] is None:
            return None
        for i, col, convs in part["converters"]:
            for convert in convs:
                values[i] = convert(values[i], col, connection)
        return part["model"].from_db(connection.alias, part["names"], values)


@functools.cache
def _questionnaire_query() -> tuple[str, _Columns]:
    columns = _Columns(("r", Respondent), ("a", Assessment), ("c", Catalogue), ("ans", Answer))
    sql = (
        f"SELECT {columns.select()} "  # noqa: S608 - identifiers from model metadata
        "FROM assessments_respondent r "
        "JOIN assessments_assessment a ON a.id = r.assessment_id "
        "JOIN assessments_catalogue c ON c.id = a.catalogue_id "
        "LEFT JOIN assessments_answer ans ON ans.respondent_id = r.id AND ans.round = 1 "
        "WHERE r.assessment_id = %s AND r.user_id = %s AND a.organisation_id = %s"
    )
    return sql, columns


def own_questionnaire(
    *, organisation, assessment_id: int, user
) -> tuple[Respondent, dict[int, Answer]] | None:
    """The signed-in person's respondent row in this organisation's assessment (with the
    assessment and its catalogue) and their questionnaire answers keyed by question id, in
    one statement: the questionnaire reads this on every page. None: not theirs."""
    sql, columns = _questionnaire_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment_id, user.pk, organisation.pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    respondent, assessment, catalogue = (columns.instance(rows[0], i) for i in range(3))
    assessment.organisation = organisation
    assessment.catalogue = catalogue
    respondent.assessment = assessment
    respondent.user = user
    answers = {}
    for row in rows:
        answer = columns.instance(row, 3)
        if answer is not None:
            answer.respondent = respondent
            answers[answer.question_id] = answer
    return respondent, answers


def member_questionnaire(
    *, org_slug: str, assessment_id: int, user
) -> tuple[Respondent, dict[int, Answer]] | None:
    """own_questionnaire for the organisation named in a URL, only while the person is a
    member of it (for the autosave, which runs without org_view)."""
    from .tenancy import membership_of

    membership = membership_of(user, org_slug)
    if membership is None:
        return None
    return own_questionnaire(
        organisation=membership.organisation, assessment_id=assessment_id, user=user
    )


def round_summary(*, assessment: Assessment) -> dict[str, list[dict]]:
    """For questions voted on in more than one round (workshops): per round the number of
    answers, spread and agreement, so the change in agreement can be shown (one query)."""
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
            sigma, agreement = scoring.spread(rounds[number])
            summary[code].append(
                {"round": number, "n": len(rounds[number]), "sigma": sigma, "agreement": agreement}
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
