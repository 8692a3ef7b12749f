"""factory_boy factories: tests build what they need instead of copying set-up."""

import factory
from django.contrib.auth import get_user_model

from assessments.models import (
    Assessment,
    Membership,
    Organisation,
    Perspective,
    PlanItem,
    PlanStatus,
    Respondent,
    Role,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    industry = "Versicherung"
    size_band = "medium"
    country = "DE"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.RESPONDENT


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")
    target_stage = 3


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent

    assessment = factory.SubFactory(AssessmentFactory)
    user = factory.SubFactory(UserFactory)
    perspective = Perspective.BUSINESS


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    question_codes = factory.LazyFunction(list)
    status = PlanStatus.OPEN
