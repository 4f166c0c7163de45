"""Prefill the working calendar (节假日与调休) with every year the chinese_calendar package knows."""

from django.db import migrations


def prefill(apps, schema_editor):
    from chinese_calendar.constants import holidays, workdays

    from campaigns.workdays import HOLIDAY_NAMES

    Holiday = apps.get_model("campaigns", "Holiday")
    present = set(Holiday.objects.values_list("date", flat=True))
    rows = []
    for table, kind in ((holidays, "rest"), (workdays, "workday")):
        for day, name in sorted(table.items()):
            if day in present:
                continue
            text = getattr(name, "value", name) or ""
            rows.append(Holiday(date=day, kind=kind, name=HOLIDAY_NAMES.get(text, text)[:50]))
    Holiday.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0003_holidays_and_period_history")]

    operations = [migrations.RunPython(prefill, migrations.RunPython.noop)]
