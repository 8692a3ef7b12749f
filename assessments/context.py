"""Context questions (catalogue 2026.2): unscored questions about outcomes and the business
model. Their answers are shown as distributions only, never per person, and only where at
least k (the catalogue's min_group_size) respondents answered the question; they never enter
the scoring (``scoring`` does not know their codes)."""

from __future__ import annotations

from collections import Counter

from .models import Assessment, ContextAnswer, ContextQuestion


def questions_of(catalogue) -> list[ContextQuestion]:
    return list(ContextQuestion.objects.filter(catalogue=catalogue).order_by("order"))


def distribution(assessment: Assessment) -> list[dict]:
    """Per context question of the assessment's catalogue: ``{"question", "answered",
    "shown", "k", "rows": [{"key", "label", "count", "share"}]}``; ``rows`` is empty unless
    ``shown`` (at least k answers). Two queries, whatever the number of respondents."""
    questions = questions_of(assessment.catalogue)
    if not questions:
        return []
    counts: dict[int, Counter] = {q.pk: Counter() for q in questions}
    for question_id, option in ContextAnswer.objects.filter(
        respondent__assessment=assessment
    ).values_list("question_id", "option"):
        if question_id in counts:
            counts[question_id][option] += 1
    k = assessment.catalogue.min_group_size
    out = []
    for question in questions:
        answered = sum(counts[question.pk].values())
        shown = answered >= k
        rows = []
        if shown:
            for key, label in question.choices():
                count = counts[question.pk][key]
                rows.append({"key": key, "label": label, "count": count, "share": count / answered})
        out.append(
            {"question": question, "answered": answered, "shown": shown, "k": k, "rows": rows}
        )
    return out
