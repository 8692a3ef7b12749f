"""Background jobs of the assessments app (django-tasks, run by ``manage.py db_worker``):
retention, and the mails to respondents, which never go out in a request."""

from django_tasks import task

from . import data_control, engagement


@task()
def apply_retention_task() -> int:
    """Apply every organisation's retention period; returns how many assessments had
    respondents' data erased. Enqueued by ``manage.py apply_retention --enqueue``."""
    return len(data_control.apply_retention())


@task()
def send_respondent_mail_task(respondent_id: int, kind: str) -> str:
    """Send one invitation or reminder; a failure is stored on the respondent and retried by
    ``manage.py remind`` (see engagement.deliver)."""
    return engagement.deliver(respondent_id=respondent_id, kind=kind)
