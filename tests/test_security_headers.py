"""Every response carries the Content-Security-Policy, Referrer-Policy and Permissions-Policy
(a page, a download, an error page), and the CSP report endpoint logs what browsers send."""

import base64
import hashlib
import json
import logging
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from campaigns.selectors import current_year, period_containing
from tests.campaigns.builders import build_small_year

pytestmark = pytest.mark.django_db


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["style-src-elem"]
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["report-uri"] == reverse("csp-report")
    assert "unsafe-eval" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["X-Frame-Options"] == "DENY"


def test_headers_on_a_page(client, role_users):
    assert_security_headers(client.get(reverse("login")))
    client.force_login(role_users[Role.OFFICE])
    response = client.get(reverse("home-office"))
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.clock("2026-11-24 10:00")
def test_headers_on_a_download(client):
    small = build_small_year(year=2026)
    period = period_containing(current_year(), timezone.now())
    client.force_login(small.reporter)
    response = client.get(reverse("ledger-xlsx", args=[period.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_security_headers(response)


@pytest.mark.parametrize("debug", [False, True])
def test_headers_on_error_pages(client, role_users, settings, debug):
    """403 and 404 in production (DEBUG off: django-csp skips 404/500 only under DEBUG)."""
    settings.DEBUG = debug
    client.force_login(role_users[Role.REPORTER])
    refused = client.get(reverse("home-office"))
    assert refused.status_code == 403
    assert_security_headers(refused)
    if not debug:
        missing = client.get("/no-such-page/")
        assert missing.status_code == 404
        assert_security_headers(missing)


def test_htmx_is_configured_without_eval_or_inline_styles(client, role_users):
    client.force_login(role_users[Role.REPORTER])
    page = client.get(reverse("notifications")).content.decode()
    found = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)
    assert found, "base.html lost its htmx-config meta tag"
    assert json.loads(found.group(1)) == {"includeIndicatorStyles": False, "allowEval": False}
    assert "<style" not in page and " hx-on" not in page and "hx-vars" not in page


def test_the_admin_change_list_style_hash_matches_the_installed_django():
    """The one inline <style> the policy allows is Django admin's change list one; a Django
    upgrade that changes it fails here, not silently in an office's browser."""
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    style = re.search(r"<style>(.*?)</style>", template.read_text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.ADMIN_CHANGE_LIST_STYLE


REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/home/office/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "http://testserver/home/office/",
        "line-number": 12,
    }
}


def test_report_endpoint_logs_each_violation_at_warning(client, caplog):
    with caplog.at_level(logging.WARNING, logger="jiaozhang.csp"):
        response = client.post(
            reverse("csp-report"), json.dumps(REPORT), content_type="application/csp-report"
        )
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "jiaozhang.csp"]
    assert record.levelno == logging.WARNING
    assert "script-src-elem" in record.getMessage() and "/home/office/" in record.getMessage()
    assert record.csp_report["blocked-uri"] == "inline"


def test_report_endpoint_takes_garbage_without_failing(client, caplog):
    with caplog.at_level(logging.WARNING, logger="jiaozhang.csp"):
        response = client.post(reverse("csp-report"), b"\xff" * 20000, content_type="text/plain")
    assert response.status_code == 204
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert client.get(reverse("csp-report")).status_code == 405


def test_no_page_template_carries_a_style_element():
    """style-src-elem allows our stylesheets only: a <style> block in a page template would be
    blocked in the browser. templates/reports/ holds WeasyPrint's documents (never served as
    pages), except the pages there that extend base.html."""
    templates = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for path in templates.rglob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text())
        document = path.parts[len(templates.parts)] == "reports" and "base.html" not in text
        if not document and re.search(r"<style[\s>]", text):
            offenders.append(str(path.relative_to(templates)))
    assert offenders == []
