"""``create_organisation NAME --owner USERNAME --email E [--password-from-stdin]``: the
first organisation and its owner on a fresh installation, in one command.

A new user gets the password read from standard input (first line) with
``--password-from-stdin``, else no usable password: they set one through "Forgot your
password?" on the sign-in page. An existing user is made the owner (their e-mail must match
when given). Every error is one line on stderr and exit status 1; nothing is saved then.
"""

import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django_scopes import scopes_disabled

from assessments import services
from assessments.models import Organisation, SizeBand


class Command(BaseCommand):
    help = "Create an organisation and its owner (a new or an existing user)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organisation's name.")
        parser.add_argument("--owner", required=True, help="Username of the owner.")
        parser.add_argument("--email", default="", help="E-mail address of a new owner.")
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="Read the new owner's password from the first line of standard input.",
        )
        parser.add_argument("--country", default="DE", help="Two-letter country code.")
        parser.add_argument(
            "--size", default=SizeBand.MEDIUM, choices=SizeBand.values, help="Size band."
        )

    def handle(self, *args, **options):
        name = options["name"].strip()
        username = options["owner"].strip()
        email = options["email"].strip()
        country = options["country"].strip().upper()
        if not name or len(name) > 200:
            raise CommandError("The organisation's name must be 1 to 200 characters long.")
        if len(country) != 2 or not country.isalpha():
            raise CommandError(f"Country {options['country']!r} is not a two-letter code.")
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"E-mail {email!r}: {' '.join(error.messages)}") from None
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            if not email:
                raise CommandError(f"There is no user {username!r}; give --email to create one.")
            if options["password_from_stdin"]:
                password = sys.stdin.readline().rstrip("\r\n")
                candidate = User(username=username, email=email)
                try:
                    validate_password(password, candidate)
                except ValidationError as error:
                    raise CommandError("Password: " + " ".join(error.messages)) from None
        elif email and user.email.lower() != email.lower():
            raise CommandError(
                f"User {username!r} exists with another e-mail address; leave out --email "
                "to make them the owner."
            )
        with scopes_disabled():
            if Organisation.objects.filter(name__iexact=name).exists():
                raise CommandError(f"An organisation named {name!r} exists already.")
            with transaction.atomic():
                created = user is None
                if created:
                    user = User(username=username, email=email)
                    try:
                        user.full_clean(exclude=["password"])
                    except ValidationError as error:
                        raise CommandError(
                            "User: " + " ".join(m for ms in error.message_dict.values() for m in ms)
                        ) from None
                    if password is not None:
                        user.set_password(password)
                    else:
                        user.set_unusable_password()
                    user.save()
                organisation = services.create_organisation(
                    user=user, name=name, size_band=options["size"], country=country
                )
        self.stdout.write(
            f"Created organisation {organisation.name!r} (/o/{organisation.slug}/) "
            f"with owner {user.get_username()!r}"
            + (" (new user)." if created else " (existing user).")
        )
        if created and password is None:
            self.stdout.write(
                "The owner has no password yet: set one with "
                f"`manage.py changepassword {user.get_username()}` or through "
                "“Forgot your password?” on the sign-in page."
            )
