"""Benchmark: the 亮相会 deck page and its landscape PDF pack, on the demo county's quarter.

Prints figures; docs/benchmarks.md records them with the machine and date. Runs against a
database the demo command has filled (`manage.py seed_demo`: 61 units in 5 groups, three
published quarters), reads only:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_demo   # seeded
    .venv/bin/python bench/showcase.py            # the latest published quarter
    .venv/bin/python bench/showcase.py --evaluation 3

The page is rendered in-process with Django's test Client as the county leader (one warm-up,
then five timed renders; the query count is that of one render); the PDF as the report job
renders it (`showcase_deck` export), twice.
"""

import argparse
import resource
import statistics
import sys
import time
from io import BytesIO

import common  # noqa: F401  (sets Django up first)
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import Role
from scoring.models import QuarterlyEvaluation
from scoring.reports.registry import get_export
from scoring.showcase import showcase_deck

RENDERS = 5


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluation", type=int, default=None)
    args = parser.parse_args()
    evaluations = QuarterlyEvaluation.objects.filter(status="published")
    evaluation = (
        evaluations.get(pk=args.evaluation)
        if args.evaluation
        else evaluations.order_by("-year__year", "-quarter").first()
    )
    if evaluation is None:
        sys.exit("no published quarter: run manage.py seed_demo first")
    leader = next(u for u in User.objects.filter(is_active=True) if u.has_role(Role.LEADER))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(leader)
    url = reverse("showcase", args=[evaluation.pk])
    client.get(url)  # warm-up
    times = []
    for _ in range(RENDERS):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    deck = showcase_deck(leader, evaluation.pk)
    print(f"database: {connection.vendor}; {evaluation.title}; {deck.slide_count} slides")
    print(
        f"page: {len(response.content) / 1024:.0f} KiB HTML, {len(queries)} queries; renders "
        + ", ".join(f"{t * 1000:.0f}" for t in times)
        + f" ms; median {statistics.median(times) * 1000:.0f} ms"
    )
    export = get_export("showcase_deck")
    pdf_times = []
    for _ in range(2):
        t0 = time.perf_counter()
        filename, _type, content = export.render({"evaluation_id": evaluation.pk})
        pdf_times.append(time.perf_counter() - t0)
    pages = len(PdfReader(BytesIO(content)).pages)
    print(f"PDF {filename}: {pages} pages, {len(content) / 1024:.0f} KiB")
    print("PDF render times: " + ", ".join(f"{t:.1f} s" for t in pdf_times))
    print(f"peak memory (max RSS of the process): {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
