"""Project-level views that belong to no app: health check, error pages, CSP reports."""

import json
import logging

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

csp_log = logging.getLogger("jiaozhang.csp")
# A report is a few hundred bytes; anything past this is cut before it is parsed or logged.
CSP_REPORT_MAX_BYTES = 8 * 1024


def healthz(request):
    """200 when the app answers and reaches its database (docker-compose healthcheck)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception):
    """400 in Chinese, saying which parameter was wrong (Django's own page shows nothing)."""
    return render(request, "400.html", {"exception": exception}, status=400)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from a page left open past its session (or from a
    stale tab) is refused in Chinese with what to do, not with Django's English page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """500 in the site's layout; if that layout itself fails (the error may be in it), a
    bare Chinese page that needs no template, database or context at all."""
    # The error may be the database itself (restarted mid-request): the page is drawn as for
    # a visitor, so no context processor (the roles' unread count) queries it again.
    request.user = AnonymousUser()
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the error page must answer whatever broke
        return HttpResponse(FALLBACK_500, status=500, content_type="text/html; charset=utf-8")


FALLBACK_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统暂时出错 · 交帐亮相'
    "</title></head><body><h1>系统暂时出错</h1><p>错误已记录，请稍后重试；如多次出现，请联系系统管理员。"
    '</p><p><a href="/">返回首页</a></p></body></html>'
)


def favicon(request):
    """/favicon.ico, asked for by browsers whatever a page links: the flag every page links.
    Resolved per request, so the hashed name of a collected static file is found."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@csrf_exempt  # posted by the browser itself, with no token (and possibly no session)
@require_POST
def csp_report(request):
    """Log a Content-Security-Policy violation the browser reports (report-uri), one WARNING
    line each on logger jiaozhang.csp: an inline script or a foreign source a page tried to
    load is either our bug or an injection, and both need a look."""
    body = request.read(CSP_REPORT_MAX_BYTES)
    try:
        report = json.loads(body).get("csp-report", {})
    except (ValueError, AttributeError):
        report = {}
    if not isinstance(report, dict) or not report:
        csp_log.warning("CSP violation report unreadable: %r", body[:200])
        return HttpResponse(status=204)
    csp_log.warning(
        "CSP violation: %s blocked %s on %s (%s:%s) user=%s",
        report.get("violated-directive") or report.get("effective-directive"),
        report.get("blocked-uri"),
        report.get("document-uri"),
        report.get("source-file", ""),
        report.get("line-number", ""),
        getattr(request.user, "pk", None),
        extra={"csp_report": report},
    )
    return HttpResponse(status=204)
