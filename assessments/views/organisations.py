from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scope, scopes_disabled

from .. import selectors, services
from ..forms import (
    InvitationForm,
    OrganisationForm,
    OrganisationSettingsForm,
    RoleForm,
    SignUpForm,
)
from ..models import Invitation, Membership, Respondent
from ..tenancy import org_view, organisations_of


def home(request):
    """Start page: the person's organisations and the questionnaires waiting for them; a
    visitor who is not signed in sees what the product does, sign-in and workshop join."""
    if not request.user.is_authenticated:
        return render(request, "assessments/landing.html")
    memberships = organisations_of(request.user)
    # A person's own open questionnaires, across their organisations.
    with scopes_disabled():
        open_questionnaires = list(
            Respondent.objects.filter(
                user=request.user,
                assessment__status="open",
                submitted_at__isnull=True,
                assessment__organisation__memberships__user=request.user,
            )
            .select_related("assessment__organisation")
            .order_by("-assessment__created_at")
        )
    return render(
        request,
        "assessments/home.html",
        {"memberships": memberships, "open_questionnaires": open_questionnaires},
    )


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(user=request.user, **form.cleaned_data)
        messages.success(request, _("Organisation created. You are its owner."))
        return redirect("organisation", org_slug=organisation.slug)
    return render(request, "assessments/organisation_form.html", {"form": form})


@org_view()
def organisation(request):
    assessments = selectors.assessments_for(membership=request.membership)
    return render(
        request,
        "assessments/organisation.html",
        {"organisation": request.organisation, "assessments": assessments},
    )


@org_view("edit_org")
def organisation_edit(request):
    form = OrganisationSettingsForm(request.POST or None, instance=request.organisation)
    if request.method == "POST" and form.is_valid():
        services.update_organisation(organisation=request.organisation, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("organisation", org_slug=request.organisation.slug)
    return render(request, "assessments/organisation_form.html", {"form": form})


@org_view("manage_members")
def members(request):
    organisation = request.organisation
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invite_member(
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            accept_url_for=lambda token: request.build_absolute_uri(
                reverse("invitation_accept", args=[token])
            ),
        )
        messages.success(
            request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
        )
        return redirect("members", org_slug=organisation.slug)
    memberships = Membership.objects.filter(organisation=organisation).select_related("user")
    invitations = Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    )
    return render(
        request,
        "assessments/members.html",
        {
            "organisation": organisation,
            "memberships": memberships.order_by("role", "user__last_name", "user__username"),
            "invitations": invitations.order_by("-created_at"),
            "form": form,
            "role_form": RoleForm(),
        },
    )


@require_POST
@org_view("manage_members")
def member_role(request, pk):
    membership = get_object_or_404(Membership, pk=pk, organisation=request.organisation)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.change_role(membership=membership, role=form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
    return redirect("members", org_slug=request.organisation.slug)


def confirm_page(
    request, *, title, paragraphs, action, confirm_label, cancel_url, items=(), after=()
):
    """The confirmation step of an irreversible action: says what will happen; only the POST
    of its form acts. A plain form, so it works without JavaScript."""
    return render(
        request,
        "assessments/confirm.html",
        {
            "title": title,
            "paragraphs": [paragraph for paragraph in paragraphs if paragraph],
            "items": items,
            "after": [paragraph for paragraph in after if paragraph],
            "action": action,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
        },
    )


@require_http_methods(["GET", "POST"])
@org_view("manage_members")
def member_remove(request, pk):
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, organisation=request.organisation
    )
    members_url = reverse("members", kwargs={"org_slug": request.organisation.slug})
    if request.method == "GET":
        user = membership.user
        name = user.get_full_name() or user.get_username()
        waiting = Respondent.objects.filter(
            user=user,
            assessment__organisation=request.organisation,
            assessment__status="open",
            submitted_at__isnull=True,
        ).count()
        values = {"name": name, "organisation": request.organisation.name, "count": waiting}
        return confirm_page(
            request,
            title=_("Remove %(name)s from %(organisation)s?") % values,
            paragraphs=[
                _(
                    "%(name)s (%(email)s) loses access to %(organisation)s: its assessments, "
                    "results, reports and workshops."
                )
                % {**values, "email": user.email or "–"},
                ngettext(
                    "They can no longer answer the open questionnaire waiting for them.",
                    "They can no longer answer the %(count)d open questionnaires waiting for them.",
                    waiting,
                )
                % values
                if waiting
                else "",
                _("Answers they have already given stay in the assessments."),
            ],
            action=request.path,
            confirm_label=_("Remove %(name)s") % values,
            cancel_url=members_url,
        )
    try:
        services.remove_member(membership=membership)
        messages.success(request, _("Member removed."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(members_url)


@require_http_methods(["GET", "POST"])
@org_view("manage_members")
def invitation_revoke(request, pk):
    invitation = get_object_or_404(
        Invitation,
        pk=pk,
        organisation=request.organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    members_url = reverse("members", kwargs={"org_slug": request.organisation.slug})
    if request.method == "GET":
        values = {"email": invitation.email, "organisation": request.organisation.name}
        return confirm_page(
            request,
            title=_("Withdraw the invitation to %(email)s?") % values,
            paragraphs=[
                _(
                    "The link sent to %(email)s stops working at once; opening it says the "
                    "invitation was withdrawn. You can invite the address again later."
                )
                % values
            ],
            action=request.path,
            confirm_label=_("Withdraw invitation"),
            cancel_url=members_url,
        )
    try:
        services.revoke_invitation(invitation=invitation)
        messages.success(request, _("Invitation withdrawn."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(members_url)


def _invitation_unavailable(request, *, text: str, status: int, invitation=None):
    return render(
        request,
        "assessments/invitation_unavailable.html",
        {"text": text, "invitation": invitation},
        status=status,
    )


def invitation_accept(request, token):
    """The link in the invitation e-mail. The token is the only key, so the lookup is made
    without a tenant scope; everything after it runs inside the invitation's organisation.
    Only a pending invitation is accepted, and only by the account with the invited address
    (a new account created here gets that address)."""
    with scopes_disabled():
        invitation = Invitation.objects.filter(token=token).select_related("organisation").first()
    if invitation is None:
        return _invitation_unavailable(
            request,
            text=_(
                "This invitation link is not valid. Please check that you opened the whole "
                "link from the e-mail, or ask for a new invitation."
            ),
            status=404,
        )
    organisation = invitation.organisation
    with scope(organisation=organisation):
        if invitation.state != "pending":
            return _invitation_unavailable(
                request,
                text=services.invitation_problem(invitation.state),
                status=410,
                invitation=invitation,
            )
        context = {"invitation": invitation, "organisation": organisation}
        if request.user.is_authenticated:
            if not invitation.is_for(request.user):
                # Say which address it was for, so the person can sign in with that account.
                return render(
                    request,
                    "assessments/invitation.html",
                    {**context, "other_address": True},
                    status=403,
                )
            if request.method == "POST":
                try:
                    services.accept_invitation(invitation=invitation, user=request.user)
                except ValidationError as error:  # used or withdrawn a moment ago
                    return _invitation_unavailable(
                        request, text=error.messages[0], status=410, invitation=invitation
                    )
                messages.success(request, _("Welcome to %(name)s.") % {"name": organisation.name})
                return redirect("organisation", org_slug=organisation.slug)
            return render(request, "assessments/invitation.html", context)
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                user = form.save(commit=False)
                user.email = invitation.email
                user.save()
                try:
                    services.accept_invitation(invitation=invitation, user=user)
                except ValidationError as error:
                    transaction.set_rollback(True)
                    return _invitation_unavailable(
                        request, text=error.messages[0], status=410, invitation=invitation
                    )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(name)s.") % {"name": organisation.name})
            return redirect("organisation", org_slug=organisation.slug)
        login_url = f"{reverse('login')}?next={request.path}"
        return render(
            request,
            "assessments/invitation.html",
            {**context, "form": form, "login_url": login_url},
        )
