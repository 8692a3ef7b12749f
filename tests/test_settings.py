"""The settings fail loudly on bad environment values, and production settings pass Django's
deployment checks without a warning."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_clean_with_production_variables(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="p" * 20 + "roduction-secret-key-with-enough-entropy-1234567890",
        DJANGO_ALLOWED_HOSTS="compass.example.com",
        DJANGO_DEBUG="false",
        COMPASS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
        ("DJANGO_SECRET_KEY", "short", "DJANGO_SECRET_KEY must be at least 50 characters"),
        ("DJANGO_CONN_MAX_AGE", "ten", "DJANGO_CONN_MAX_AGE='ten' is not an integer"),
        (
            "DATABASE_URL",
            "mysql://x@localhost/db",
            "DATABASE_URL must point at SQLite or PostgreSQL",
        ),
        (
            "DATABASE_URL",
            "localhost/compass",
            "DATABASE_URL='localhost/compass' is not a database URL",
        ),
        (
            "DJANGO_TRUSTED_PROXY_COUNT",
            "one",
            "DJANGO_TRUSTED_PROXY_COUNT='one' is not an integer",
        ),
        (
            "DJANGO_TRUSTED_PROXY_COUNT",
            "-1",
            "DJANGO_TRUSTED_PROXY_COUNT='-1' must be at least 0",
        ),
        ("DJANGO_INVITATION_DAYS", "0", "DJANGO_INVITATION_DAYS='0' must be at least 1"),
    ],
    ids=[
        "boolean",
        "secret-key",
        "integer",
        "unsupported-database",
        "malformed-database-url",
        "proxy-count-word",
        "proxy-count-negative",
        "invitation-days-zero",
    ],
)
def test_bad_value_stops_start_up_with_the_variable_named(tmp_path, variable, value, message):
    result = manage("check", **{variable: value}, COMPASS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert message in result.stderr


def test_empty_database_url_means_sqlite(tmp_path):
    result = manage("check", DATABASE_URL="", COMPASS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


PRINT_DB_OPTIONS = "from django.conf import settings; print(settings.DATABASES['default'])"


def test_postgres_prepares_hot_statements_by_default(tmp_path):
    result = manage(
        "shell",
        "-c",
        PRINT_DB_OPTIONS,
        DATABASE_URL="postgres://compass@db.internal:5432/compass",
        COMPASS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "'server_side_binding': True, 'prepare_threshold': 5" in result.stdout
    assert "'CONN_HEALTH_CHECKS': False" in result.stdout


def test_postgres_prepared_statements_off_behind_pgbouncer(tmp_path):
    result = manage(
        "shell",
        "-c",
        PRINT_DB_OPTIONS,
        DATABASE_URL="postgres://compass@db.internal:5432/compass",
        DJANGO_PG_PREPARED_STATEMENTS="false",
        DJANGO_CONN_HEALTH_CHECKS="true",
        COMPASS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "server_side_binding" not in result.stdout
    assert "'CONN_HEALTH_CHECKS': True" in result.stdout
