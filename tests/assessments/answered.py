"""Set-up shared by the action-plan and data-control tests: a closed assessment of
organisation A with answers (no test logic here)."""

from django_scopes import scope

from assessments import services

from ..factories import MembershipFactory, UserFactory

LEVELS = {"alignment": 4, "integration": 2, "co_creation": 1, "fusion": 0}


def answer_all(personas, questions, levels=None, respondent=None):
    """The persona respondent (or ``respondent``) answers every question: its section's
    level from ``levels`` (default LEVELS; 2 for sections not named)."""
    levels = LEVELS if levels is None else levels
    respondent = respondent or personas.respondent
    with scope(organisation=personas.org_a):
        for q in questions:
            services.save_answer(
                respondent=respondent, question=q, value=levels.get(q.section.key, 2)
            )


def add_member_respondent(personas, questions, perspective="it", value=2):
    with scope(organisation=personas.org_a):
        member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
        respondent = personas.assessment.respondents.create(
            user=member.user, perspective=perspective
        )
        for q in questions:
            services.save_answer(respondent=respondent, question=q, value=value)
    return respondent


def close(personas, assessment=None):
    with scope(organisation=personas.org_a):
        return services.close_assessment(assessment=assessment or personas.assessment)
