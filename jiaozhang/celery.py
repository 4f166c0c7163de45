"""The Celery app: a real Redis broker when REDIS_URL is set, eager tasks otherwise."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozhang.settings")

app = Celery("jiaozhang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
