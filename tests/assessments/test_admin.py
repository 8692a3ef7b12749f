"""The staff admin: Django's admin site of the project (AdminConfig.default_site), which runs
without tenant scopes, with the models of every app on it."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from assessments.admin_site import CompassAdminSite
from assessments.models import Assessment
from workshops.models import WorkshopSession

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_site_is_the_project_site_with_every_app():
    assert isinstance(admin.site, CompassAdminSite)
    for model in (Assessment, WorkshopSession, get_user_model(), Group):
        assert admin.site.is_registered(model)


@pytest.mark.parametrize(
    "name",
    ["admin:assessments_assessment_changelist", "admin:workshops_workshopsession_changelist"],
)
def test_staff_sees_every_organisations_rows_in_admin(client, personas, name):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse(name))
    assert response.status_code == 200
    if name.startswith("admin:assessments"):
        html = response.content.decode()
        assert personas.assessment.title in html and personas.assessment_b.title in html
