"""docker-compose.yml cannot run here (no Docker engine), so it is checked by reading it."""

import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_has_the_five_services():
    assert set(_compose()["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_app_services_share_image_and_read_the_settings_variables():
    services = _compose()["services"]
    settings_source = (ROOT / "jiaozhang" / "settings.py").read_text(encoding="utf-8")
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        env = service["environment"]
        assert env["DEBUG"] == "0"
        for var in env:
            assert f'"{var}"' in settings_source, f"{name}: settings.py never reads {var}"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert set(service["depends_on"]) == {"db", "redis"}


def test_commands_run_gunicorn_worker_and_beat():
    services = _compose()["services"]
    assert "gunicorn jiaozhang.wsgi" in services["web"]["command"]
    assert "migrate" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A jiaozhang worker")
    assert services["beat"]["command"].startswith("celery -A jiaozhang beat")
    # The web healthcheck calls a URL that exists.
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])


def test_database_credentials_agree():
    services = _compose()["services"]
    db_env = services["db"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    user, db_name = re.match(r"postgres://(\w+):.*@db:5432/(\w+)", url).groups()
    assert (user, db_name) == (db_env["POSTGRES_USER"], db_env["POSTGRES_DB"])
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_dockerfile_installs_cjk_fonts_and_the_locked_packages():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "fonts-noto-cjk" in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert "collectstatic" in dockerfile
    assert "npm ci" in dockerfile
    assert "postgresql-client" in dockerfile  # scripts/backup.sh and restore.sh


def test_web_healthcheck_passes_the_production_host_and_https_checks(db, settings, monkeypatch):
    """The healthcheck asks as the proxy would; without a Host from ALLOWED_HOSTS and HTTPS,
    production settings answer 400 or 301 and the web service never turns healthy."""
    settings.ALLOWED_HOSTS = ["jz.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("ALLOWED_HOSTS", "jz.example.gov.cn, www.example.gov.cn")
    client, answers = Client(), []

    def urlopen(request, timeout=None):
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.header_items()}
        answers.append(client.get(urlsplit(request.full_url).path, **meta).status_code)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    exec(test[3], {})
    assert answers == [200]
