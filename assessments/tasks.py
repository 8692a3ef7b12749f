"""Background jobs of the assessments app (django-tasks, run by ``manage.py db_worker``).
The respondents' mails have their task beside the code that queues them
(``engagement.send_respondent_mail_task``), so that they never go out in a request."""

from django_tasks import task

from . import data_control


@task()
def apply_retention_task() -> int:
    """Apply every organisation's retention period; returns how many assessments had
    respondents' data erased. Enqueued by ``manage.py apply_retention --enqueue``."""
    return len(data_control.apply_retention())
