"""Background work of an engagement (django-tasks on the database backend, run by
``manage.py db_worker``): mails to respondents never go out in a request."""

from django_tasks import task

from . import engagement


@task()
def send_respondent_mail_task(respondent_id: int, kind: str) -> str:
    """Send one invitation or reminder; a failure is stored on the respondent and retried by
    ``manage.py remind`` (see engagement.deliver)."""
    return engagement.deliver(respondent_id=respondent_id, kind=kind)
