"""The reminder schedule in the admin: the office moves times and switches reminders on or off.

django-celery-beat's own admin lets whoever may change a periodic task pick any registered
Celery task and type its arguments, and run it at once. The office keeps the reminder schedule
(DESIGN §2), but choosing *what* runs is the system administrator's: for anyone else the task,
its arguments and its execution options are read-only, and the "run now" action is gone.
"""

from django.contrib import admin
from django_celery_beat.admin import CrontabScheduleAdmin, PeriodicTaskAdmin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.permissions import user_acts_as
from accounts.roles import Role

# What the office may change on a scheduled task; everything else is shown read-only.
OFFICE_EDITABLE = ("enabled", "description", "crontab")
OFFICE_FIELDSETS = (
    # The task itself is a code (campaigns.tasks.…); its name already says what it does.
    (None, {"fields": ("name", "enabled", "description")}),
    ("执行时间", {"fields": ("crontab", "last_run_at")}),
)


def crontab_text(crontab) -> str:
    """A crontab as the office reads it, in Beijing time (the schedule's own text and
    cron_descriptor's are English, even its Chinese names the weekdays in English)."""
    if crontab is None:
        return "—"
    return (
        f"分钟 {crontab.minute} · 小时 {crontab.hour} · 日 {crontab.day_of_month} · "
        f"月 {crontab.month_of_year} · 星期 {crontab.day_of_week}（北京时间）"
    )


class SchedulePeriodicTaskAdmin(PeriodicTaskAdmin):
    # Columns and filters in Chinese: no "Scheduler" or interval columns, no filter by code.
    list_display = ("name", "enabled", "schedule_shown", "last_run_at")
    list_filter = ["enabled", "last_run_at"]

    @admin.display(description="执行时间")
    def schedule_shown(self, obj):
        return crontab_text(obj.crontab)

    @admin.display(description="执行时间说明")
    def crontab_translation(self, obj):
        return crontab_text(obj.crontab)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "crontab" and field is not None:
            field.label_from_instance = crontab_text
        return field

    def _chooses_tasks(self, request) -> bool:
        return user_acts_as(request.user, Role.ADMIN)

    def get_fieldsets(self, request, obj=None):
        if self._chooses_tasks(request):
            return super().get_fieldsets(request, obj)
        return OFFICE_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if self._chooses_tasks(request):
            return super().get_readonly_fields(request, obj)
        shown = [f for fieldset in OFFICE_FIELDSETS for f in fieldset[1]["fields"]]
        return [f for f in shown if f not in OFFICE_EDITABLE]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not self._chooses_tasks(request):
            # A plain ModelForm of the editable fields: PeriodicTaskForm would add its task
            # chooser (regtask) back, and posted task names or arguments are not read at all.
            kwargs["form"] = admin.ModelAdmin.form
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request):
        return self._chooses_tasks(request) and super().has_add_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self._chooses_tasks(request):
            actions.pop("run_tasks", None)
        return actions


# celery-beat's help texts are half translated ("将"*"用作"all""): ours, in Beijing time.
CRONTAB_HELP = {
    "minute": "第几分钟（0–59），“*”表示每分钟，如“0”或“0,30”。",
    "hour": "第几小时（0–23，北京时间），“*”表示每小时，如“9”或“9-17”。",
    "day_of_month": "每月第几日（1–31），“*”表示每天。",
    "month_of_year": "第几月（1–12），“*”表示每月。",
    "day_of_week": "星期几（1 为星期一，0 或 7 为星期日），“*”表示每天，如“1-5”。",
}


class ScheduleTasksInline(admin.TabularInline):
    model = PeriodicTask
    fields = ("name", "enabled")
    readonly_fields = fields
    can_delete = False
    extra = 0
    show_change_link = True
    verbose_name = verbose_name_plural = "使用此时间表的定时任务"

    def has_add_permission(self, request, obj=None):
        return False


class ScheduleCrontabAdmin(CrontabScheduleAdmin):
    """Times in Beijing time only: no choice among 600 time zones named in English."""

    list_display = ("schedule_shown",)
    fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    readonly_fields = ()
    inlines = [ScheduleTasksInline]

    @admin.display(description="执行时间")
    def schedule_shown(self, obj):
        return crontab_text(obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in CRONTAB_HELP:
            field.help_text = CRONTAB_HELP[db_field.name]
        return field


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, SchedulePeriodicTaskAdmin)
admin.site.unregister(CrontabSchedule)
admin.site.register(CrontabSchedule, ScheduleCrontabAdmin)
