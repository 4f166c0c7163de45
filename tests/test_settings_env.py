"""Settings come from the environment: the embedded default, and production hardening."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import json, django; from django.conf import settings as s; django.setup();"
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
    " 'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'debug': s.DEBUG,"
    " 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'secure_cookie': s.SESSION_COOKIE_SECURE,"
    " 'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'static': s.STORAGES['staticfiles']['BACKEND']}))"
)
# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests and is itself a deploy-check warning.
CLEARED = {
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_HOST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def _settings_with(**env):
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    base.update(env, DJANGO_SETTINGS_MODULE="jiaozhang.settings")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=base,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_embedded_default_needs_no_server():
    probe = _settings_with()
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["eager"] is True and probe["broker"] == "memory://"
    assert probe["email"].endswith("console.EmailBackend")
    assert probe["debug"] is True
    assert (probe["lang"], probe["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_production_environment_is_hardened():
    probe = _settings_with(
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="jz.example",
        DATABASE_URL="postgres://u:p@db:5432/jz",
        REDIS_URL="redis://redis:6379/0",
        EMAIL_HOST="smtp.example",
    )
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["eager"] is False and probe["broker"] == "redis://redis:6379/0"
    assert probe["email"].endswith("smtp.EmailBackend")
    assert probe["debug"] is False and probe["hsts"] >= 31536000 and probe["secure_cookie"]
    assert probe["static"].startswith("whitenoise.")


def test_deploy_check_passes_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(DEBUG="0", SECRET_KEY="k" * 20 + "-Zq93!bv07x" * 4, ALLOWED_HOSTS="jz.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    for missing in ({}, {"SECRET_KEY": ""}, {"SECRET_KEY": "  "}):
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(DEBUG="0", ALLOWED_HOSTS="jz.example", **missing)
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "未设置 SECRET_KEY" in result.stderr
