"""Project-level views that belong to no app: the health check used by the container."""

from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """200 when the app answers and reaches its database (docker-compose healthcheck)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
