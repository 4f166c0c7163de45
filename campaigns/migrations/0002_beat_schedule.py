"""Create the beat schedule as database rows, so the office can edit it in the admin."""

from django.db import migrations

# task name, schedule label, crontab (minute, hour)
SCHEDULE = [
    ("campaigns.tasks.send_ledger_reminders", "周帐截止提醒（每小时）", ("5", "*")),
    ("campaigns.tasks.mark_missing_ledgers", "缺报标记与通知（每小时）", ("35", "*")),
    (
        "accounts.tasks.purge_expired_sign_in_records",
        "清理过期会话与登录锁定记录（每天）",
        ("15", "3"),
    ),
]


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for task, name, (minute, hour) in SCHEDULE:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def delete_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for _, name, _ in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
