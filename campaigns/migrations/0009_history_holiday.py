"""Give every holiday and period that has no history row a '+' record of its current state.

0004 prefilled the calendar with a plain bulk_create, and periods older than 0003 predate
their history table: such rows had no history at all, which the history walk
(tests/test_history_walk.py, issue 14) counts as a change that escaped the audit.
"""

from django.db import migrations
from django.utils import timezone

REASON = "补记历史（迁移前已有的数据）"


def backfill(apps, schema_editor):
    for name in ("Holiday", "Period"):
        model = apps.get_model("campaigns", name)
        history = apps.get_model("campaigns", f"Historical{name}")
        recorded = set(history.objects.values_list("id", flat=True).distinct())
        columns = [
            f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")
        ]
        now = timezone.now()
        history.objects.bulk_create(
            [
                history(
                    history_date=now,
                    history_type="+",
                    history_change_reason=REASON,
                    **{c: getattr(row, c) for c in columns},
                )
                for row in model.objects.exclude(pk__in=recorded)
            ],
            batch_size=2000,
        )


def forget(apps, schema_editor):
    for name in ("Holiday", "Period"):
        apps.get_model("campaigns", f"Historical{name}").objects.filter(
            history_change_reason=REASON
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0008_row_versions")]

    operations = [migrations.RunPython(backfill, forget)]
