"""Database sessions that read the signed-in user in the same query.

Django's default reads the session row, then the user row: two queries before any view runs,
on every request (the questionnaire autosaves each click). Here the session row also names
its user (``UserSession.user``, kept in step whenever the session is saved), the session is
loaded with its user joined, and the authentication middleware takes the user from there.
It accepts the user only in exactly the case Django's ``auth.get_user`` accepts it (the model
backend, an active user, the session hash matching the current secret); anything else goes
through Django's own ``auth.get_user``, which flushes invalid sessions as before.

    SESSION_ENGINE = "assessments.sessions"
    MIDDLEWARE: "assessments.sessions.AuthenticationMiddleware" instead of Django's
"""

import functools

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.db import connection, models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@functools.cache
def _user_fields():
    # Every column of the user but its timestamps, which stay deferred (loaded when used).
    return [
        field
        for field in auth.get_user_model()._meta.concrete_fields
        if not isinstance(field, models.DateTimeField)
    ]


@functools.cache
def _user_names() -> tuple[list[str], int]:
    names = [field.attname for field in _user_fields()]
    return names, names.index(auth.get_user_model()._meta.pk.attname)


@functools.cache
def _session_sql() -> str:
    from .models import UserSession

    user_model = auth.get_user_model()
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(f.column)}" for f in _user_fields())
    return (
        f"SELECT s.session_data, {columns} "  # noqa: S608 - identifiers from model metadata
        f"FROM {UserSession._meta.db_table} s "
        f"LEFT JOIN {quote(user_model._meta.db_table)} u "
        f"ON u.{quote(user_model._meta.pk.column)} = s.user_id "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )


class SessionStore(db.SessionStore):
    # The user row read together with the session row (None: no user, or not loaded).
    row_user = None

    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def load(self):
        # Django's lookup (the key, not expired), with the user joined, as one plain
        # statement: it runs before every signed-in request, and the ORM spends longer
        # compiling it than the database takes to answer.
        with connection.cursor() as cursor:
            cursor.execute(
                _session_sql(),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        self.row_user = None
        if row is None:
            self._session_key = None
            return {}
        session_data, user_values = row[0], row[1:]
        names, pk_index = _user_names()
        if user_values[pk_index] is not None:
            self.row_user = auth.get_user_model().from_db(connection.alias, names, user_values)
        return self.decode(session_data)

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data[SESSION_KEY])
        except (KeyError, TypeError, ValueError):
            instance.user_id = None
        return instance


def session_user(request):
    """The signed-in user, as django.contrib.auth.get_user would return it."""
    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    user = getattr(session, "row_user", None)
    if (
        user is not None
        and user.pk == user_id
        and backend_path == MODEL_BACKEND
        and backend_path in settings.AUTHENTICATION_BACKENDS
        and ModelBackend().user_can_authenticate(user)
    ):
        session_hash = session.get(HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
            return user
    # Anything else (another backend, an inactive user, a rotated secret or an invalid
    # hash): Django decides, and flushes the session where it must.
    return auth.get_user(request)


def get_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))
