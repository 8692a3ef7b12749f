"""``rescore ASSESSMENT_ID | --all``: recompute closed assessments with the current method.

The result is computed from the answers stored in each assessment's snapshot; the earlier
result stays readable in the snapshot, labelled with its method (see
``services.recompute_result``). ``--all`` takes every closed assessment whose stored
result was computed with another method.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from assessments import scoring, services
from assessments.models import Assessment, AssessmentStatus, ResultSnapshot


def _summary(result: dict) -> str:
    return f"{result['stage']['key']} ({scoring.round_half_up(result['position'], 2):.2f})"


class Command(BaseCommand):
    help = "Recompute closed assessments with the current scoring method, keeping the old result."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("assessment_id", nargs="?", type=int, help="Assessment id.")
        target.add_argument(
            "--all",
            action="store_true",
            help="Every closed assessment computed with another method.",
        )

    def handle(self, *args, **options):
        with scopes_disabled():
            if options["all"]:
                ids = list(
                    ResultSnapshot.objects.filter(assessment__status=AssessmentStatus.CLOSED)
                    .exclude(method=scoring.METHOD)
                    .order_by("assessment_id")
                    .values_list("assessment_id", flat=True)
                )
                failed = 0
                for assessment_id in ids:
                    try:
                        self.rescore(assessment_id)
                    except CommandError as exc:  # say so and go on with the others
                        failed += 1
                        self.stderr.write(str(exc))
                done = len(ids) - failed
                self.stdout.write(f"{done} assessment(s) recomputed with method {scoring.METHOD}")
                if failed:
                    raise CommandError(f"{failed} assessment(s) could not be recomputed")
            else:
                self.rescore(options["assessment_id"])

    def rescore(self, assessment_id: int) -> None:
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"assessment {assessment_id}: no such assessment")
        before = ResultSnapshot.objects.filter(assessment=assessment).first()
        if before is not None and before.method == scoring.METHOD:
            self.stdout.write(
                f"assessment {assessment_id}: already computed with method {scoring.METHOD}"
            )
            return
        try:
            snapshot = services.recompute_result(assessment=assessment)
        except ValidationError as exc:
            raise CommandError(f"assessment {assessment_id}: {' '.join(exc.messages)}") from None
        except scoring.ScoringError as exc:
            raise CommandError(f"assessment {assessment_id}: cannot be scored: {exc}") from None
        earlier = snapshot.previous_results[0]
        self.stdout.write(
            f"assessment {assessment_id}: method {earlier['method']} {_summary(earlier['result'])}"
            f" -> method {snapshot.method} {_summary(snapshot.data['result'])}"
        )
