"""WSGI entry point (gunicorn jiaozhang.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozhang.settings")
application = get_wsgi_application()
