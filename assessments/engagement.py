"""Running an engagement: respondents without accounts, their personal links, invitation and
reminder mails, and who has answered.

Personal links. django-sesame makes and checks the tokens. It authenticates *users*, so every
respondent without an account gets a hidden "link user": an active account with an unusable
password and no e-mail address, which is no member of any organisation and so can open no
organisation page; it cannot sign in with a password or reset one. The token is scoped to
the respondent and the assessment (``link_scope``), expires after ``COMPASS_LINK_DAYS`` and
with the assessment's deadline, and a revocation gives the link user a new unusable password,
which invalidates every token made before (sesame's ``SESAME_INVALIDATE_ON_PASSWORD_CHANGE``).

The link user is never logged in. "Start" (a POST: a GET of the link, as mail scanners do,
changes nothing) stores the respondent in the browser's session; ``PersonalLinkMiddleware``
then refuses that session every organisation page but the respondent's own questionnaire.

Mails go out from the worker (``send_respondent_mail_task`` below). A failed send is kept on
the respondent (error, attempts, next try) and retried by ``manage.py remind``, which also
sends the due reminders; ``make run`` runs it every few minutes beside the worker.
"""

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled
from django_tasks import task
from sesame.utils import get_query_string, get_user

from . import services
from .models import (
    Assessment,
    AssessmentStatus,
    Language,
    Organisation,
    Perspective,
    Respondent,
)

SESSION_KEY = "compass_personal_link"
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_REMINDERS = 3
MAX_MAIL_ATTEMPTS = 4
RETRY_MINUTES = 10  # then 20, 40
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class MailKind:
    INVITATION = "invitation"
    REMINDER = "reminder"


# ---------------------------------------------------------------- personal links


def link_scope(respondent: Respondent) -> str:
    return f"respondent:{respondent.pk}:assessment:{respondent.assessment_id}"


def optout_scope(respondent: Respondent) -> str:
    return f"opt-out:{respondent.pk}:assessment:{respondent.assessment_id}"


def _new_link_user():
    user = get_user_model()(username=f"link-{uuid.uuid4().hex}", is_active=True)
    user.set_unusable_password()
    user.save()
    return user


def deadline_passed(assessment: Assessment, now: datetime | None = None) -> bool:
    """The deadline is the last day on which answers are taken (in the site's time zone)."""
    if assessment.deadline is None:
        return False
    return timezone.localdate(now or timezone.now()) > assessment.deadline


def personal_link(respondent: Respondent, *, org_slug: str) -> str:
    path = reverse("respondent_link", args=[org_slug, respondent.assessment_id, respondent.pk])
    query = get_query_string(respondent.link_user, scope=link_scope(respondent))
    return f"{settings.COMPASS_BASE_URL}{path}{query}"


def optout_link(respondent: Respondent, *, org_slug: str) -> str:
    path = reverse("respondent_optout", args=[org_slug, respondent.assessment_id, respondent.pk])
    query = get_query_string(respondent.link_user, scope=optout_scope(respondent))
    return f"{settings.COMPASS_BASE_URL}{path}{query}"


def token_is_valid(request, respondent: Respondent, *, purpose: str = "link") -> bool:
    """Whether the request's token opens this respondent's link. Checking never writes."""
    if respondent.link_user_id is None:
        return False
    wanted = link_scope(respondent) if purpose == "link" else optout_scope(respondent)
    user = get_user(request, scope=wanted, update_last_login=False)
    return user is not None and user.pk == respondent.link_user_id


def link_respondent(*, org_slug: str, assessment_id: int, respondent_id: int) -> Respondent:
    """The respondent a personal link names, with assessment and organisation (404 when the
    three do not belong together: a link used on another assessment)."""
    with scopes_disabled():
        respondent = (
            Respondent.objects.select_related("assessment__organisation", "link_user")
            .filter(
                pk=respondent_id,
                assessment_id=assessment_id,
                assessment__organisation__slug=org_slug,
            )
            .first()
        )
    if respondent is None:
        raise Http404
    return respondent


def start_session(request, respondent: Respondent) -> None:
    """Bind this browser's session to the one respondent (after "Start", a POST)."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "respondent": respondent.pk,
        "assessment": respondent.assessment_id,
        "org": respondent.assessment.organisation.slug,
    }
    now = timezone.now()
    changes = {"last_activity_at": now}
    if respondent.opened_at is None:
        changes["opened_at"] = now
    with scopes_disabled():
        Respondent.objects.filter(pk=respondent.pk).update(**changes)


def session_link(request) -> dict | None:
    """The personal-link binding of this request's session, for a visitor without account."""
    if request.user.is_authenticated:
        return None
    link = request.session.get(SESSION_KEY)
    return link if isinstance(link, dict) else None


# URLs a personal-link session may open (with its own organisation and assessment).
LINK_URL_NAMES = frozenset(
    {"questionnaire", "questionnaire_section", "questionnaire_save", "questionnaire_submit"}
)
PUBLIC_ORG_URL_NAMES = frozenset({"respondent_link", "respondent_optout"})


class PersonalLinkMiddleware:
    """A personal-link session reaches its own questionnaire and nothing else of any
    organisation (403); pages that need an account still send it to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if "org_slug" not in view_kwargs:
            return None
        link = session_link(request)
        if link is None:
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in PUBLIC_ORG_URL_NAMES:
            return None
        own = view_kwargs["org_slug"] == link["org"] and view_kwargs.get("pk") == link["assessment"]
        if name in LINK_URL_NAMES and own:
            return None
        raise PermissionDenied


class LinkEnded(Exception):
    """A started personal link no longer opens the questionnaire: revoked, or the deadline
    passed. ``reason`` names which, for the page that says so."""

    def __init__(self, reason: str, respondent: Respondent | None = None):
        super().__init__(reason)
        self.reason = reason
        self.respondent = respondent


def questionnaire_view(view):
    """``org_view()`` for members, or the personal-link session of this very assessment: then
    the organisation's scope is opened and ``request.link_respondent_id`` names the
    respondent. Anything else of a link session was refused by the middleware."""
    from .tenancy import org_view

    member_view = org_view()(view)

    @wraps(view)
    def wrapper(request, org_slug, pk, *args, **kwargs):
        link = session_link(request)
        if link is None:
            return member_view(request, org_slug, pk, *args, **kwargs)
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None or link["org"] != org_slug or link["assessment"] != pk:
            raise Http404
        with scope(organisation=organisation):
            request.organisation = organisation
            request.membership = None
            request.capabilities = set()
            request.link_respondent_id = link["respondent"]
            try:
                return view(request, pk, *args, **kwargs)
            except LinkEnded as ended:
                return link_ended_page(request, ended)

    return wrapper


def link_ended_page(request, ended: LinkEnded):
    from django.shortcuts import render

    respondent = ended.respondent
    return render(
        request,
        "assessments/respondents/link_problem.html",
        {
            "reason": ended.reason,
            "respondent": respondent,
            "assessment": respondent.assessment if respondent else None,
        },
        status=410,
    )


def link_respondent_of(request, *, pk) -> Respondent | None:
    """The personal-link session's respondent in this assessment, with assessment,
    organisation and catalogue (one query, inside the organisation's scope); None: no such
    respondent. Raises LinkEnded once the link is revoked or the deadline passed."""
    respondent = (
        Respondent.objects.select_related("assessment__organisation", "assessment__catalogue")
        .filter(pk=request.link_respondent_id, assessment_id=pk, link_user__isnull=False)
        .first()
    )
    if respondent is None:
        return None
    if respondent.revoked_at is not None:
        raise LinkEnded("revoked", respondent)
    if deadline_passed(respondent.assessment):
        raise LinkEnded("deadline", respondent)
    note_activity(respondent=respondent)
    return respondent


def _is_link(request) -> bool:
    return getattr(request, "link_respondent_id", None) is not None


def questionnaire_of_request(request, *, pk, member_lookup):
    """The respondent of this request and its answers keyed by question id: the member's own
    (``member_lookup()``), or the personal-link session's. 404 when there is none."""
    if not _is_link(request):
        found = member_lookup()
    else:
        respondent = link_respondent_of(request, pk=pk)
        found = None
        if respondent is not None:
            answers = {a.question_id: a for a in respondent.answers.filter(round=1)}
            found = respondent, answers
    if found is None:
        raise Http404
    return found


def autosave_respondent_of_request(request, *, pk, member_lookup) -> Respondent:
    """The respondent an autosave click writes for: the member's own, or the personal-link
    session's. 404 when there is none (or the link was revoked); services.AnswerLocked once
    the deadline of a personal link passed."""
    if not _is_link(request):
        respondent = member_lookup()
    else:
        try:
            respondent = link_respondent_of(request, pk=pk)
        except LinkEnded as ended:
            if ended.reason == "deadline":
                raise services.AnswerLocked from None
            raise Http404 from None
    if respondent is None:
        raise Http404
    return respondent


def note_activity(*, respondent: Respondent) -> None:
    Respondent.objects.filter(pk=respondent.pk).update(last_activity_at=timezone.now())


# ---------------------------------------------------------------- adding respondents


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


HEADER_ALIASES = {
    "name": "name",
    "e-mail": "email",
    "email": "email",
    "e-mail address": "email",
    "e-mail-adresse": "email",
    "perspective": "perspective",
    "perspektive": "perspective",
    "language": "language",
    "sprache": "language",
}
REQUIRED_COLUMNS = ("name", "email", "perspective")


PERSPECTIVE_ALIASES = {"fachbereich": "business", "fachseite": "business", "sonstige": "other"}


def _perspective_of(raw: str) -> str | None:
    value = raw.strip().lower()
    if value in PERSPECTIVE_ALIASES:
        return PERSPECTIVE_ALIASES[value]
    for choice in Perspective:
        names = {choice.value, str(choice.label).lower()}
        for lang in ("de", "en"):
            with translation.override(lang):
                names.add(str(choice.label).lower())
        if value in names:
            return choice.value
    return None


def _language_of(raw: str) -> str | None:
    value = (raw or "").strip().lower()
    if not value:
        return Language.DE.value
    aliases = {"de": "de", "deutsch": "de", "german": "de", "en": "en", "english": "en"}
    aliases["englisch"] = "en"
    return aliases.get(value)


def check_row(
    *, name: str, email: str, perspective: str, language: str
) -> tuple[dict | None, list[str]]:
    """One respondent's fields, checked and normalised; (row, []) or (None, problems)."""
    problems = []
    name = (name or "").strip()
    email = (email or "").strip().lower()
    if not name:
        problems.append(_("the name is missing"))
    elif name.startswith(FORMULA_START):
        # Refused, not rewritten: a name starting with = + - @ would run as a formula when
        # the list is opened in a spreadsheet again.
        problems.append(_("the name starts with = + - or @ (a spreadsheet formula); refused"))
    elif len(name) > 200:
        problems.append(_("the name is longer than 200 characters"))
    try:
        validate_email(email)
    except ValidationError:
        problems.append(_("“%(email)s” is not an e-mail address") % {"email": email})
    checked_perspective = _perspective_of(perspective or "")
    if checked_perspective is None:
        problems.append(
            _("the perspective “%(value)s” is not business, IT or other") % {"value": perspective}
        )
    checked_language = _language_of(language)
    if checked_language is None:
        problems.append(_("the language “%(value)s” is not de or en") % {"value": language})
    if problems:
        return None, problems
    return {
        "name": name,
        "email": email,
        "perspective": checked_perspective,
        "language": checked_language,
    }, []


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _read_table(upload) -> list[list[str]]:
    name = (upload.name or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from zipfile import BadZipFile

        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (BadZipFile, KeyError, OSError, ValueError) as error:
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from error
        sheet = book.worksheets[0]
        rows = [
            [_cell(v) for v in row]
            for row in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True)
        ]
        book.close()
        return rows
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise ValidationError(_("Upload a .csv or .xlsx file."))


def parse_upload(upload, *, assessment: Assessment) -> ImportResult:
    """Read a CSV or XLSX list of respondents: columns name, email, perspective and
    optionally language (German headers too). Every problem is reported with its row;
    a file with any problem yields no rows to save."""
    if upload.size > MAX_UPLOAD_BYTES:
        return ImportResult(
            errors=[
                _("The file is %(size)s MB; at most %(limit)s MB are accepted.")
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}",
                    "limit": MAX_UPLOAD_BYTES // 1024 // 1024,
                }
            ]
        )
    try:
        table = [row for row in _read_table(upload) if any(row)]
    except ValidationError as error:
        return ImportResult(errors=list(error.messages))
    if not table:
        return ImportResult(errors=[_("The file is empty.")])
    header = [HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in table[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in (*REQUIRED_COLUMNS, "language")]
    if missing or unknown:
        return ImportResult(
            errors=[
                _(
                    "The first row must name the columns name, email, perspective and "
                    "optionally language; found: %(found)s."
                )
                % {"found": ", ".join(table[0])}
            ]
        )
    if len(table) - 1 > MAX_ROWS:
        return ImportResult(errors=[_("At most %(n)s respondents per file.") % {"n": MAX_ROWS}])
    return check_rows(
        [dict(zip(header, row + [""] * len(header), strict=False)) for row in table[1:]],
        assessment=assessment,
        first_line=2,
    )


def check_rows(raw_rows: list[dict], *, assessment: Assessment, first_line: int) -> ImportResult:
    existing = set(
        Respondent.objects.filter(assessment=assessment)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    result = ImportResult()
    counts = Counter((r.get("email") or "").strip().lower() for r in raw_rows)
    seen = set()
    for line, raw in enumerate(raw_rows, start=first_line):
        row, problems = check_row(
            name=raw.get("name", ""),
            email=raw.get("email", ""),
            perspective=raw.get("perspective", ""),
            language=raw.get("language", ""),
        )
        email = (raw.get("email") or "").strip().lower()
        if email and counts[email] > 1 and email in seen:
            problems.append(_("%(email)s appears twice in the file") % {"email": email})
        if email in existing:
            problems.append(
                _("%(email)s is already a respondent of this assessment") % {"email": email}
            )
        seen.add(email)
        if problems:
            result.errors.append(
                _("Row %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(problems)}
            )
        else:
            result.rows.append(row)
    if result.errors:
        result.rows = []
    return result


@transaction.atomic
def add_respondents(*, assessment: Assessment, rows: list[dict], invite: bool) -> list[Respondent]:
    """Create respondents without accounts (each with its link user) from checked rows, and
    queue their invitations. Raises ValidationError when a row no longer fits (an e-mail
    added meanwhile): then nothing is saved."""
    checked = check_rows(rows, assessment=assessment, first_line=1)
    if checked.errors:
        raise ValidationError(checked.errors)
    created = []
    for row in checked.rows:
        respondent = Respondent.objects.create(
            assessment=assessment, link_user=_new_link_user(), **row
        )
        created.append(respondent)
    if invite:
        queue_mails(respondents=created, kind=MailKind.INVITATION)
    return created


@transaction.atomic
def revoke_link(*, respondent: Respondent) -> None:
    """End the personal link now: tokens made before no longer open it, and a browser that
    started with it loses access on its next request."""
    if respondent.link_user is not None:
        respondent.link_user.set_unusable_password()  # a new hash: sesame's tokens go stale
        respondent.link_user.save(update_fields=["password"])
    respondent.revoked_at = timezone.now()
    respondent.save(update_fields=["revoked_at"])


@transaction.atomic
def resend_link(*, respondent: Respondent) -> None:
    """A new personal link (an old, revoked one stays dead) in a new invitation mail."""
    if respondent.link_user is None:
        respondent.link_user = _new_link_user()
    else:
        respondent.link_user.set_unusable_password()
        respondent.link_user.save(update_fields=["password"])
    respondent.revoked_at = None
    respondent.save(update_fields=["link_user", "revoked_at"])
    queue_mails(respondents=[respondent], kind=MailKind.INVITATION)


@transaction.atomic
def opt_out(*, respondent: Respondent) -> None:
    with scopes_disabled():  # reached by link, outside any organisation's pages
        Respondent.objects.filter(pk=respondent.pk).update(reminders_opt_out=True)


@transaction.atomic
def update_schedule(
    *, assessment: Assessment, deadline, days_after: list[int], days_before: int | None
) -> Assessment:
    assessment.deadline = deadline
    assessment.reminder_days_after = sorted(set(days_after))
    assessment.reminder_days_before = days_before
    before = 1 if days_before is not None and deadline is not None else 0
    if len(assessment.reminder_days_after) + before > MAX_REMINDERS:
        raise ValidationError(_("At most three reminders."))
    assessment.save(update_fields=["deadline", "reminder_days_after", "reminder_days_before"])
    return assessment


# ---------------------------------------------------------------- mails


def queue_mails(*, respondents: list[Respondent], kind: str) -> int:
    """Mark the mails as pending and hand them to the worker (in this transaction, so a mail
    is queued exactly when its respondent is saved). Respondents without a personal link
    (members, workshop participants) get none."""
    queued = 0
    for respondent in respondents:
        if not respondent.email or respondent.link_user_id is None or respondent.revoked_at:
            continue
        Respondent.objects.filter(pk=respondent.pk).update(
            mail_pending=kind, mail_attempts=0, mail_error="", mail_retry_at=None
        )
        send_respondent_mail_task.enqueue(respondent.pk, kind)
        queued += 1
    return queued


def render_mail(respondent: Respondent, kind: str) -> tuple[str, str]:
    assessment = respondent.assessment
    org_slug = assessment.organisation.slug
    context = {
        "respondent": respondent,
        "organisation": assessment.organisation,
        "assessment": assessment,
        "deadline": assessment.deadline,
        "url": personal_link(respondent, org_slug=org_slug),
        "optout_url": optout_link(respondent, org_slug=org_slug),
        "reminder": kind == MailKind.REMINDER,
    }
    with translation.override(respondent.language):
        if kind == MailKind.REMINDER:
            subject = _("Reminder: your answers for %(organisation)s") % {
                "organisation": assessment.organisation.name
            }
        else:
            subject = _("%(organisation)s asks for your view: %(title)s") % {
                "organisation": assessment.organisation.name,
                "title": assessment.title,
            }
        body = render_to_string("assessments/respondents/email/invitation.txt", context)
    return subject, body


def deliver(*, respondent_id: int, kind: str) -> str:
    """Send one pending mail (from the worker). The outcome is stored on the respondent:
    sent, or the error with the time of the next try, or given up after the last one."""
    with scopes_disabled():
        respondent = (
            Respondent.objects.select_related("assessment__organisation", "link_user")
            .filter(pk=respondent_id)
            .first()
        )
        if respondent is None or respondent.mail_pending != kind:
            return "gone"  # deleted, or another mail replaced this one
        if respondent.revoked_at is not None or respondent.link_user is None:
            Respondent.objects.filter(pk=respondent.pk).update(mail_pending="")
            return "revoked"
        subject, body = render_mail(respondent, kind)
        try:
            send_mail(
                subject=subject,
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[respondent.email],
            )
        except Exception as error:  # any transport failure is kept, shown and retried
            attempts = respondent.mail_attempts + 1
            retry_at = None
            if attempts < MAX_MAIL_ATTEMPTS:
                retry_at = timezone.now() + timedelta(minutes=RETRY_MINUTES * 2 ** (attempts - 1))
            Respondent.objects.filter(pk=respondent.pk).update(
                mail_attempts=attempts,
                mail_error=f"{type(error).__name__}: {error}"[:1000],
                mail_retry_at=retry_at,
            )
            return "retry" if retry_at else "failed"
        now = timezone.now()
        changes = {"mail_pending": "", "mail_attempts": 0, "mail_error": "", "mail_retry_at": None}
        if kind == MailKind.INVITATION:
            changes["invited_at"] = now
        else:
            changes["last_reminded_at"] = now
        Respondent.objects.filter(pk=respondent.pk).update(**changes)
    return "sent"


def reminder_times(assessment: Assessment, invited_at: datetime) -> list[datetime]:
    """When the reminders of someone invited at ``invited_at`` are due (at most three)."""
    points = [invited_at + timedelta(days=int(d)) for d in assessment.reminder_days_after or []]
    if assessment.deadline is not None and assessment.reminder_days_before is not None:
        day = assessment.deadline - timedelta(days=assessment.reminder_days_before)
        points.append(timezone.make_aware(datetime.combine(day, time(8, 0))))
    return sorted(p for p in points if p > invited_at)[:MAX_REMINDERS]


def due_reminders(*, now: datetime) -> list[tuple[Respondent, int]]:
    """(respondent, reminders passed by now) for everyone whose next reminder is due: invited,
    not submitted, not opted out, link not revoked, no mail pending, assessment open and
    before its deadline."""
    with scopes_disabled():
        candidates = Respondent.objects.select_related("assessment").filter(
            invited_at__isnull=False,
            submitted_at__isnull=True,
            reminders_opt_out=False,
            revoked_at__isnull=True,
            link_user__isnull=False,
            mail_pending="",
            reminders_sent__lt=MAX_REMINDERS,
            assessment__status=AssessmentStatus.OPEN,
        )
        due = []
        for respondent in candidates:
            if deadline_passed(respondent.assessment, now):
                continue
            times = reminder_times(respondent.assessment, respondent.invited_at)
            passed = sum(1 for t in times if t <= now)
            if passed > respondent.reminders_sent:
                due.append((respondent, passed))
    return due


def send_due_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """What ``manage.py remind`` does: queue the due reminders (one per person, however many
    points in time passed while nobody ran this) and the mails due for another try."""
    now = now or timezone.now()
    reminded = 0
    for respondent, passed in due_reminders(now=now):
        with scopes_disabled(), transaction.atomic():
            # Counted when queued, so a second run before the worker sent it queues nothing.
            updated = Respondent.objects.filter(
                pk=respondent.pk, reminders_sent=respondent.reminders_sent, mail_pending=""
            ).update(reminders_sent=passed)
            if updated:
                reminded += queue_reminder(respondent)
    retried = retry_failed_mails(now=now)
    return {"reminders": reminded, "retries": retried}


def queue_reminder(respondent: Respondent) -> int:
    Respondent.objects.filter(pk=respondent.pk).update(
        mail_pending=MailKind.REMINDER, mail_attempts=0, mail_error="", mail_retry_at=None
    )
    send_respondent_mail_task.enqueue(respondent.pk, MailKind.REMINDER)
    return 1


def retry_failed_mails(*, now: datetime) -> int:
    with scopes_disabled():
        due = list(
            Respondent.objects.filter(mail_retry_at__lte=now)
            .exclude(mail_pending="")
            .values_list("pk", "mail_pending")
        )
        for pk, kind in due:
            Respondent.objects.filter(pk=pk).update(mail_retry_at=None)
            send_respondent_mail_task.enqueue(pk, kind)
    return len(due)


@transaction.atomic
def remind_now(*, respondents: list[Respondent]) -> int:
    """ "Remind now" for one or all: a reminder to each who has not submitted and did not opt
    out; it does not count against the schedule."""
    queued = 0
    for respondent in respondents:
        if (
            respondent.submitted_at is None
            and not respondent.reminders_opt_out
            and respondent.revoked_at is None
            and respondent.email
            and respondent.link_user_id is not None
        ):
            queued += queue_reminder(respondent)
    return queued


# ---------------------------------------------------------------- participation


class Status:
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    OPENED = "opened"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


STATUS_LABELS = {
    Status.NOT_INVITED: gettext_lazy("not invited yet"),
    Status.INVITED: gettext_lazy("invited"),
    Status.OPENED: gettext_lazy("opened"),
    Status.IN_PROGRESS: gettext_lazy("in progress"),
    Status.SUBMITTED: gettext_lazy("submitted"),
}


def status_of(respondent) -> str:
    if respondent.submitted_at is not None:
        return Status.SUBMITTED
    if respondent.answered:
        return Status.IN_PROGRESS
    if respondent.opened_at is not None:
        return Status.OPENED
    if respondent.invited_at is not None or respondent.user_id is not None:
        return Status.INVITED
    return Status.NOT_INVITED


def participation(*, assessment: Assessment) -> dict:
    """Who has answered, per person and per perspective (one query, never any answer)."""
    rows = list(
        Respondent.objects.filter(assessment=assessment)
        .select_related("user")
        .annotate(
            answered=Count("answers", filter=Q(answers__round=1)),
            last_answer_at=Max("answers__updated_at"),
        )
        .order_by("perspective", "name", "id")
    )
    order = [Status.INVITED, Status.OPENED, Status.IN_PROGRESS, Status.SUBMITTED]
    by_perspective = {}
    for perspective in Perspective:
        by_perspective[perspective.value] = {
            "label": perspective.label,
            **dict.fromkeys(order, 0),
            "total": 0,
        }
    total = {"label": _("Total"), **dict.fromkeys(order, 0), "total": 0}
    for row in rows:
        row.status = status_of(row)
        row.status_label = STATUS_LABELS[row.status]
        candidates = [t for t in (row.last_activity_at, row.last_answer_at) if t is not None]
        row.last_activity = max(candidates) if candidates else None
        if row.name or row.user is None:
            row.display_name = row.name
        else:
            row.display_name = row.user.get_full_name() or row.user.get_username()
        # "opened" counts everyone who opened the questionnaire, and so on: each stage
        # includes the later ones.
        reached = order.index(row.status) if row.status in order else -1
        for bucket in (by_perspective[row.perspective], total):
            bucket["total"] += 1
            for index, status in enumerate(order):
                if reached >= index:
                    bucket[status] += 1
    for bucket in (*by_perspective.values(), total):
        submitted, count = bucket[Status.SUBMITTED], bucket["total"]
        bucket["rate"] = round(100 * submitted / count) if count else 0
    return {
        "rows": rows,
        "perspectives": [b for b in by_perspective.values() if b["total"]],
        "total": total,
    }


def response_rates(*, assessment: Assessment) -> dict:
    """Submitted of all respondents, per perspective and in total (one query)."""
    rows = (
        Respondent.objects.filter(assessment=assessment)
        .values("perspective")
        .annotate(total=Count("id"), submitted=Count("id", filter=Q(submitted_at__isnull=False)))
        .order_by("perspective")
    )
    labels = dict(Perspective.choices)
    perspectives = []
    total = {"total": 0, "submitted": 0}
    for row in rows:
        perspectives.append(
            {
                "label": labels.get(row["perspective"], row["perspective"]),
                "total": row["total"],
                "submitted": row["submitted"],
                "rate": round(100 * row["submitted"] / row["total"]),
            }
        )
        total["total"] += row["total"]
        total["submitted"] += row["submitted"]
    total["rate"] = round(100 * total["submitted"] / total["total"]) if total["total"] else 0
    return {"perspectives": perspectives, "total": total}


# The worker's entry point for one mail. It lives beside the code that queues it, so that the
# engagement module and the task module do not import each other.
@task()
def send_respondent_mail_task(respondent_id: int, kind: str) -> str:
    """Send one invitation or reminder (queued by queue_mails, remind, or a retry)."""
    return deliver(respondent_id=respondent_id, kind=kind)


def drop_link_user(sender, instance: Respondent, **kwargs) -> None:
    """post_delete of a Respondent (connected in AssessmentsConfig.ready): its hidden link
    account exists only for that respondent, so it goes too, whichever way the respondent
    went (erasure, retention, deleting the assessment)."""
    if instance.link_user_id is not None:
        get_user_model().objects.filter(pk=instance.link_user_id).delete()
