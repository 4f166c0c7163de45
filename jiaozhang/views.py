"""Project-level views that belong to no app: the health check used by the container."""

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    """200 when the app answers and reaches its database (docker-compose healthcheck)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception):
    """400 in Chinese, saying which parameter was wrong (Django's own page shows nothing)."""
    return render(request, "400.html", {"exception": exception}, status=400)
