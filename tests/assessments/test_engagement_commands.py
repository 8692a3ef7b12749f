"""``manage.py respondents import``: the upload's checks on the command line, a clear error
and a non-zero exit instead of a traceback."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from assessments.models import Respondent

GOOD = "name,email,perspective,language\nAnna Berg,anna@example.org,business,de\n"


@pytest.mark.django_db
def test_import_adds_respondents_and_prints_links(personas, tmp_path, capsys, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("respondents", "import", str(personas.assessment.pk), str(path), "--print-links")
    out = capsys.readouterr().out
    assert "1 respondent(s) added" in out
    assert f"anna@example.org\thttp://127.0.0.1:8000/o/org-a/a/{personas.assessment.pk}/r/" in out
    assert "?sesame=" in out
    with scopes_disabled():
        assert Respondent.objects.get(email="anna@example.org").link_user is not None


@pytest.mark.django_db
def test_import_with_errors_imports_nothing(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "Bad,bad-mail,it,de\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"(Row|Zeile) 3: .*bad-mail"):
        call_command("respondents", "import", str(personas.assessment.pk), str(path))
    with scopes_disabled():
        assert not Respondent.objects.exclude(email="").exists()


@pytest.mark.django_db
def test_import_unknown_assessment_missing_file_and_huge_file(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="No assessment 999999"):
        call_command("respondents", "import", "999999", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("respondents", "import", str(personas.assessment.pk), str(tmp_path / "x"))
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(20 * 1024 * 1024)
    with pytest.raises(CommandError, match=r"20\.0 MB"):
        call_command("respondents", "import", str(personas.assessment.pk), str(huge))


def test_import_error_exits_non_zero_without_traceback(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("bad\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "manage.py", "respondents", "import", "not-a-number", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "invalid int value" in done.stderr
