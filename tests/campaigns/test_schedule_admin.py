"""Reminder schedule in the admin: the office moves times; only the administrator picks tasks."""

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.roles import Role


@pytest.fixture
def reminder():
    return PeriodicTask.objects.exclude(crontab=None).order_by("pk").first()


def change_url(task):
    return reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])


def post_as_office(client, role_users, periodic, **fields):
    client.force_login(role_users[Role.OFFICE])
    data = {"enabled": "on", "description": periodic.description, "crontab": periodic.crontab_id}
    data.update(fields)
    return client.post(change_url(periodic), data)


def test_the_office_cannot_choose_what_a_scheduled_task_runs(client, role_users, reminder):
    """A posted task name, arguments and queue are ignored; the task is as it was."""
    before = (reminder.task, reminder.args, reminder.kwargs, reminder.queue)
    response = post_as_office(
        client,
        role_users,
        reminder,
        task="celery.backend_cleanup",
        regtask="celery.backend_cleanup",
        args='["x"]',
        kwargs='{"y": 1}',
        queue="elsewhere",
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.task, reminder.args, reminder.kwargs, reminder.queue) == before


def test_the_office_switches_a_reminder_off_and_moves_its_time(client, role_users, reminder):
    later = CrontabSchedule.objects.create(minute="30", hour="17", timezone="Asia/Shanghai")
    response = post_as_office(
        client, role_users, reminder, enabled="", crontab=later.pk, description="改到17:30"
    )
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.enabled, reminder.crontab_id, reminder.description) == (
        False,
        later.pk,
        "改到17:30",
    )


def test_the_office_sees_no_task_chooser_no_add_and_no_run_now(client, role_users, reminder):
    client.force_login(role_users[Role.OFFICE])
    page = client.get(change_url(reminder)).content.decode()
    assert 'name="regtask"' not in page and 'name="args"' not in page
    changelist = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "run_tasks" not in changelist.content.decode()
    add = client.get(reverse("admin:django_celery_beat_periodictask_add"))
    assert add.status_code == 403
