"""Beat runs the follow-up escalation (黄牌/红牌) at 08:30 and then hourly until 18:30, daily.

Every day, not Monday–Friday: a 调休 Saturday is a working day, and the service itself does
nothing on a rest day (campaigns/workdays.py decides). Idempotent, so the hourly repeats only
catch a run that failed or a follow-up that became overdue meanwhile.
"""

from django.db import migrations

TASK = "scoring.tasks.escalate_follow_ups"
NAME = "交办事项逾期黄牌/红牌（每天8:30起每小时）"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="8-18",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0006_weekly_briefings_overdue_follow_ups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
