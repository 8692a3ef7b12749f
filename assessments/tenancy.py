"""Every organisation-owned view goes through ``org_view``: it resolves the organisation from
the URL, checks the signed-in user's membership and opens the django-scopes scope for the
request. Anything of another organisation is then invisible (404), a missing role is 403,
and a query that forgets its organisation raises instead of leaking.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled

from .models import Membership, Role

# Who may do what. Views name a capability, never a list of roles, so the table is the one
# place that decides.
CAPABILITIES: dict[str, frozenset[str]] = {
    "view_org": frozenset(Role.values),
    "manage_members": frozenset({Role.OWNER}),
    "edit_org": frozenset({Role.OWNER}),
    "manage_assessments": frozenset({Role.OWNER, Role.CONSULTANT}),
    "view_results": frozenset({Role.OWNER, Role.CONSULTANT, Role.VIEWER}),
    "facilitate": frozenset({Role.OWNER, Role.CONSULTANT}),
    "control_data": frozenset({Role.OWNER}),  # delete assessments, erase respondents
}


def can(membership: Membership | None, capability: str) -> bool:
    return membership is not None and membership.role in CAPABILITIES[capability]


def capabilities_of(membership: Membership) -> set[str]:
    return {name for name, roles in CAPABILITIES.items() if membership.role in roles}


def org_view(capability: str = "view_org") -> Callable:
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args, **kwargs) -> HttpResponse:
            membership = membership_of(request.user, org_slug)
            # Not a member (or no such organisation): it does not exist for this user.
            if membership is None:
                raise Http404
            organisation = membership.organisation
            with scope(organisation=organisation):
                if not can(membership, capability):
                    raise PermissionDenied
                request.organisation = organisation
                request.membership = membership
                request.capabilities = capabilities_of(membership)
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


def membership_of(user, org_slug: str) -> Membership | None:
    """The person's own membership of the organisation named in the URL, with the
    organisation (one query). It runs before the organisation, and so the scope, is known;
    filtered by the user, it cannot reach anybody else's rows."""
    with scopes_disabled():
        try:
            membership = Membership.objects.select_related("organisation").get(
                user=user, organisation__slug=org_slug
            )
        except Membership.DoesNotExist:
            return None
    membership.user = user
    return membership


def organisations_of(user) -> Iterable[Membership]:
    """The memberships of a user across organisations (the one cross-tenant read: a person
    sees the list of organisations they belong to)."""
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name")
        )
