"""App config for accounts: units, ranking groups, users and roles."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "单位与账号"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from . import tasks  # noqa: F401  (registers the task names services start by name)
        from .roles import Role, sync_role_permissions
        from .services import record_sign_in
        from .todo import admin_items, register

        # Later apps add models; re-granting after every migrate keeps each role's
        # permissions in step with ROLE_PERMISSIONS without a data migration per model.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")
        # A sign-in updates last_login without writing the account's history (see
        # record_sign_in); django.contrib.auth, listed before accounts, connected its own.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_sign_in, dispatch_uid="accounts.record_sign_in")
        # The 待办 centre: accounts' own items; campaigns and scoring register theirs.
        register(Role.ADMIN, admin_items)
