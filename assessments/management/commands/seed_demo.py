"""Demo data for a newcomer: an insurer (the example of the fusion-teams article) with a CIO,
a consultant, a board viewer and business and IT respondents, an earlier and a current
closed assessment on catalogue 2026.1 with realistic, mixed answers, an open self-assessment
for the CIO, and a closed assessment on catalogue 2026.2 (three business and three IT
respondents, context answers, a second voting round and consensus values as a workshop
records them, two plan items), so that the heatmap, the context answers, the actions and the
progress across catalogue versions all show.

Idempotent: every part is created only if it is missing (by organisation and title); a
second run changes nothing.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from assessments import plans, services
from assessments.catalogue import BUNDLED_CATALOGUE_PATHS, read_and_load_catalogue
from assessments.models import (
    Assessment,
    ContextQuestion,
    Membership,
    Organisation,
    Perspective,
    Question,
    Role,
)

PASSWORD = "compass-demo"  # noqa: S105 - documented demo password, local demo only
SLUG = "muster-versicherung"
TITLE_2026_2 = "Reifegraderhebung Herbst 2026 (Katalog 2026.2)"

PEOPLE = [
    # username, first, last, role, perspective in the workshop-style assessment
    ("cio", "Claudia", "Berger", Role.OWNER, Perspective.IT),
    ("berater", "Jonas", "Keller", Role.CONSULTANT, None),
    ("vorstand", "Helga", "Sommer", Role.VIEWER, None),
    ("vertrieb", "Mehmet", "Yilmaz", Role.RESPONDENT, Perspective.BUSINESS),
    ("produkt", "Sabine", "Wolf", Role.RESPONDENT, Perspective.BUSINESS),
    ("schaden", "Thomas", "Becker", Role.RESPONDENT, Perspective.BUSINESS),
    ("architektur", "Lena", "Fischer", Role.RESPONDENT, Perspective.IT),
    ("betrieb", "Stefan", "Hoffmann", Role.RESPONDENT, Perspective.IT),
    ("daten", "Aylin", "Demir", Role.RESPONDENT, Perspective.IT),
]

# Typical level per section: alignment mostly in place, co-creation beginning, fusion rare.
LEVELS = {
    "alignment": 3.0,
    "integration": 2.5,
    "co_creation": 1.5,
    "fusion": 0.7,
    "bizdevops": 1.4,
    "dto": 0.9,
}
# Business sees co-creation and integration less far along than IT does.
PERSPECTIVE_SHIFT = {"business": -0.4, "it": 0.3, "other": 0.0}


def _answer(rng: random.Random, level: float) -> int | None:
    if rng.random() < 0.06:
        return None  # don't know
    return max(0, min(4, round(rng.gauss(level, 0.8))))


class Command(BaseCommand):
    help = "Create the demo organisation, people and assessments (idempotent)."

    def handle(self, *args, **options):
        # The bundled versions, oldest first (loading is idempotent); 2026.2 is the newest.
        older, newest = [read_and_load_catalogue(path)[0] for path in BUNDLED_CATALOGUE_PATHS]
        created = False
        with transaction.atomic():
            if not Organisation.objects.filter(slug=SLUG).exists():
                self._create(older, newest)
                created = True
            organisation = Organisation.objects.get(slug=SLUG)
            with scope(organisation=organisation):
                if not Assessment.objects.filter(
                    organisation=organisation, title=TITLE_2026_2
                ).exists():
                    self._create_2026_2(organisation, newest)
                    created = True
        if not created:
            self.stdout.write("Demo data already present, unchanged.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation created; sign in as cio / {PASSWORD} (see README.md)."
            )
        )

    def _create_2026_2(self, organisation, catalogue):
        """A closed assessment on catalogue 2026.2 with workshop-style second votes,
        consensus values, context answers and plan items."""
        rng = random.Random(20262)  # noqa: S311 - demo data, not security
        users = {
            u.username: u
            for u in get_user_model().objects.filter(memberships__organisation=organisation)
        }
        respondents = [(users[u], p) for u, _f, _l, _r, p in PEOPLE if p is not None]
        questions = list(Question.objects.filter(catalogue=catalogue).select_related("section"))
        assessment = services.create_assessment(
            organisation=organisation,
            created_by=users["cio"],
            title=TITLE_2026_2,
            catalogue=catalogue,
            target_stage=3,
            respondents=respondents,
        )
        context = list(ContextQuestion.objects.filter(catalogue=catalogue).order_by("order"))
        for respondent in assessment.respondents.all():
            bias = PERSPECTIVE_SHIFT[respondent.perspective]
            for question in questions:
                if rng.random() < 0.04:
                    continue  # skipped
                value = _answer(rng, LEVELS[question.section.key] + 0.3 + bias)
                services.save_answer(respondent=respondent, question=question, value=value)
            # The workshop: a second vote on two co-creation questions after the discussion.
            for question in [q for q in questions if q.section.key == "co_creation"][:2]:
                services.save_answer(
                    respondent=respondent,
                    question=question,
                    value=_answer(rng, LEVELS["co_creation"] + 0.5),
                    round=2,
                )
            answers = {
                q: q.options[min(len(q.options) - 1, int(rng.random() * len(q.options)))]["key"]
                for q in context
                if rng.random() < 0.9
            }
            services.save_context_answers(respondent=respondent, answers=answers)
            services.submit_respondent(respondent=respondent)
        # What the workshop agreed on: a consensus value for the first fusion question.
        fusion = next(q for q in questions if q.section.key == "fusion")
        services.set_consensus(
            assessment=assessment,
            question=fusion,
            value=1,
            note="Im Workshop vereinbart: erste Pilotteams, noch ohne eigenes Budget.",
            user=users["berater"],
        )
        services.close_assessment(assessment=assessment)
        co_creation = [q.code for q in questions if q.section.key == "co_creation"]
        plans.create_plan_item(
            organisation=organisation,
            created_by=users["cio"],
            assessment=assessment,
            title="Gemischte Teams für die zwei wichtigsten Kundenprozesse aufsetzen",
            question_codes=co_creation[:1],
            owner=users["cio"],
            due_date=timezone.localdate() + timezone.timedelta(days=90),
        )
        plans.create_plan_item(
            organisation=organisation,
            created_by=users["cio"],
            assessment=assessment,
            title="Gemeinsame Ergebnisziele von Fachbereich und IT vereinbaren",
            question_codes=co_creation[1:2],
            owner_name="Sabine Wolf (Produktmanagement)",
            due_date=timezone.localdate() + timezone.timedelta(days=180),
        )

    def _create(self, catalogue, newest):
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        User = get_user_model()
        users = {}
        for username, first, last, _role, _p in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@muster-versicherung.example",
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[username] = user
        organisation = Organisation.objects.create(
            name="Muster Versicherung AG",
            slug=SLUG,
            industry="Versicherung",
            size_band="medium",
            country="DE",
        )
        with scope(organisation=organisation):
            for username, _f, _l, role, _p in PEOPLE:
                Membership.objects.create(
                    user=users[username], organisation=organisation, role=role
                )
            questions = list(Question.objects.filter(catalogue=catalogue).select_related("section"))
            respondents = [(users[u], p) for u, _f, _l, _r, p in PEOPLE if p is not None]

            # A year ago: one step lower everywhere.
            earlier = services.create_assessment(
                organisation=organisation,
                created_by=users["cio"],
                title="Standortbestimmung 2025",
                catalogue=catalogue,
                target_stage=3,
                respondents=respondents,
            )
            self._answer_all(earlier, questions, rng, shift=-0.6)
            services.close_assessment(assessment=earlier)
            earlier.created_at = earlier.closed_at = timezone.now() - timezone.timedelta(days=365)
            earlier.save(update_fields=["created_at", "closed_at"])

            current = services.create_assessment(
                organisation=organisation,
                created_by=users["cio"],
                title="Standortbestimmung 2026",
                catalogue=catalogue,
                target_stage=3,
                respondents=respondents,
            )
            self._answer_all(current, questions, rng, shift=0.0)
            services.close_assessment(assessment=current)

            # The CIO's own self-assessment, half done: the questionnaire to try out.
            own = services.create_assessment(
                organisation=organisation,
                created_by=users["cio"],
                title="CIO-Selbstbewertung",
                catalogue=newest,
                target_stage=4,
                respondents=[(users["cio"], Perspective.IT)],
            )
            respondent = own.respondents.get()
            newest_questions = list(
                Question.objects.filter(catalogue=newest).select_related("section")
            )
            for question in newest_questions[: len(newest_questions) // 3]:
                services.save_answer(
                    respondent=respondent,
                    question=question,
                    value=_answer(rng, LEVELS[question.section.key]),
                )

    def _answer_all(self, assessment, questions, rng, *, shift: float) -> None:
        for respondent in assessment.respondents.all():
            bias = PERSPECTIVE_SHIFT[respondent.perspective]
            for question in questions:
                if rng.random() < 0.04:
                    continue  # skipped
                level = LEVELS[question.section.key] + shift + bias
                services.save_answer(
                    respondent=respondent, question=question, value=_answer(rng, level)
                )
            services.submit_respondent(respondent=respondent)
