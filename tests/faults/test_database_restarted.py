"""PostgreSQL restarted in the middle of a request: the reporter gets the Chinese error page,
nothing of the interrupted save is kept, and the next request works.

Runs through a live server (its thread closes a broken connection at the end of a request,
as production does: the test client deliberately keeps its connection). The restart is made
from inside the request, right after the first entry of the save was written.
"""

import re
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.urls import reverse

from campaigns.models import LedgerEntry
from tests.faults.services import ensure_postgres, pg_ctl
from tests.faults.weeks import build_open_week


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is the answer under test, not a page to follow


def fetch(url: str, cookie: str, form: dict | None = None):
    """(status, text, headers) of one request to the live server, redirects not followed."""
    body = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookie})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(), answer.headers


pytestmark = [
    pytest.mark.faults,
    pytest.mark.real_clock(reason="restarts the shared PostgreSQL cluster"),
]


def test_restart_mid_save_shows_the_chinese_500_keeps_nothing_and_recovers(
    client, live_server, transactional_db
):
    # This week, whatever the real date (a fault test is never moved in time): open, its
    # deadline ahead.
    small, week = build_open_week()
    client.force_login(small.reporter)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    url = live_server.url + reverse("ledger-week", args=[week.pk])
    status, page, headers = fetch(url, cookie)
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csrf = SimpleCookie("; ".join(headers.get_all("Set-Cookie") or []))
    if "csrftoken" in csrf:
        cookie += f"; csrftoken={csrf['csrftoken'].value}"
    form = {
        "csrfmiddlewaretoken": token,
        "action": "save",
        f"e{small.investment.pk}-value": "3.5",
        f"e{small.cases.pk}-value": "4",
        f"e{small.flood.pk}-done_on": "",
    }
    entries = LedgerEntry.objects.filter(ledger__unit=small.reporter.unit, ledger__period=week)
    history_before = LedgerEntry.history.count()
    port = int(connection.settings_dict["PORT"] or 5432)
    restarted = []

    def restart_once(sender, instance, **kwargs):
        if not restarted:
            restarted.append(instance.pk)
            pg_ctl(port, "restart")

    post_save.connect(restart_once, sender=LedgerEntry, dispatch_uid="faults-restart")
    try:
        status, failed, _ = fetch(url, cookie, form)
    finally:
        post_save.disconnect(dispatch_uid="faults-restart", sender=LedgerEntry)
        ensure_postgres(port)
    assert restarted
    assert status == 500
    assert 'data-testid="server-error"' in failed  # the site's page, not the bare one
    assert "系统暂时出错" in failed

    connection.close()  # this test's own connection died with the restart too
    assert list(entries.exclude(value=None).values_list("pk", flat=True)) == []
    assert LedgerEntry.history.count() == history_before

    status, _, _ = fetch(url, cookie, form)
    assert status == 302
    assert entries.get(indicator=small.investment).value == 3.5
