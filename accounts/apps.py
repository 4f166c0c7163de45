"""App config for accounts: units, ranking groups, users and roles."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "单位与账号"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import tasks  # noqa: F401  (registers the task names services start by name)
        from .roles import sync_role_permissions

        # Later apps add models; re-granting after every migrate keeps each role's
        # permissions in step with ROLE_PERMISSIONS without a data migration per model.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
