"""Third-party apps under Chinese names in the admin (their own configs name them in English)."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (sign-in lockout) as the administrator reads it: 登录锁定, not "Axes"."""

    verbose_name = "登录锁定"
