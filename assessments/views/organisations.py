from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
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
    invitations = Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
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


@require_POST
@org_view("manage_members")
def member_remove(request, pk):
    membership = get_object_or_404(Membership, pk=pk, organisation=request.organisation)
    try:
        services.remove_member(membership=membership)
        messages.success(request, _("Member removed."))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("members", org_slug=request.organisation.slug)


@require_POST
@org_view("manage_members")
def invitation_revoke(request, pk):
    invitation = get_object_or_404(
        Invitation, pk=pk, organisation=request.organisation, accepted_at__isnull=True
    )
    invitation.delete()
    messages.success(request, _("Invitation withdrawn."))
    return redirect("members", org_slug=request.organisation.slug)


def invitation_accept(request, token):
    """The link in the invitation e-mail. The token is the only key, so the lookup is made
    without a tenant scope; everything after it runs inside the invitation's organisation."""
    with scopes_disabled():
        invitation = (
            Invitation.objects.filter(token=token, accepted_at__isnull=True)
            .select_related("organisation")
            .first()
        )
    if invitation is None:
        raise Http404
    organisation = invitation.organisation
    with scope(organisation=organisation):
        if request.user.is_authenticated:
            if request.method == "POST":
                services.accept_invitation(invitation=invitation, user=request.user)
                messages.success(request, _("Welcome to %(name)s.") % {"name": organisation.name})
                return redirect("organisation", org_slug=organisation.slug)
            return render(
                request,
                "assessments/invitation.html",
                {"invitation": invitation, "organisation": organisation},
            )
        form = SignUpForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = form.save(commit=False)
            user.email = invitation.email
            user.save()
            services.accept_invitation(invitation=invitation, user=user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to %(name)s.") % {"name": organisation.name})
            return redirect("organisation", org_slug=organisation.slug)
        login_url = f"{reverse('login')}?next={request.path}"
        return render(
            request,
            "assessments/invitation.html",
            {
                "invitation": invitation,
                "organisation": organisation,
                "form": form,
                "login_url": login_url,
            },
        )
