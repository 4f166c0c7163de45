"""The reminder schedule in the admin: the office moves times and switches reminders on or off.

django-celery-beat's own admin lets whoever may change a periodic task pick any registered
Celery task and type its arguments, and run it at once. The office keeps the reminder schedule
(DESIGN §2), but choosing *what* runs is the system administrator's: for anyone else the task,
its arguments and its execution options are read-only, and the "run now" action is gone.
"""

from django.contrib import admin
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from accounts.permissions import user_acts_as
from accounts.roles import Role

# What the office may change on a scheduled task; everything else is shown read-only.
OFFICE_EDITABLE = ("enabled", "description", "crontab")
OFFICE_FIELDSETS = (
    (None, {"fields": ("name", "task", "enabled", "description")}),
    ("执行时间", {"fields": ("crontab", "last_run_at")}),
)


class SchedulePeriodicTaskAdmin(PeriodicTaskAdmin):
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


admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, SchedulePeriodicTaskAdmin)
