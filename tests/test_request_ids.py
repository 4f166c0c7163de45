"""Ids from requests: a number the database cannot hold is a 404 or a 400, never a 500.

The URL list comes from the URL conf, so a new page taking an id is covered as it is added;
and no URL may use `<int:…>` (which lets any number through to PostgreSQL's bigint).
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from jiaozhang.ids import MAX_ID, as_id
from tests.campaigns.builders import build_small_year
from tests.helpers import make_user

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HUGE = "99999999999999999999999"  # the audit's value: 23 digits
OVER = str(MAX_ID + 1)  # 19 digits, one past PostgreSQL's bigint
PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes(resolver=None, prefix=""):
    """(route, converter names) of every URL pattern, admin included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # a regex (the admin's app index) takes no id
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, [kind for kind, _ in PLACEHOLDER.findall(route)]


def url_with(route: str, value: str) -> str:
    def fill(match):
        kind = match.group(1)
        return value if kind in ("id", "int", "path") else "x"

    return "/" + PLACEHOLDER.sub(fill, route)


ID_ROUTES = sorted({r for r, kinds in routes() if "id" in kinds})
ADMIN_OBJECT_ROUTES = sorted({r for r, kinds in routes() if "path" in kinds and "admin" in r})


def test_no_url_lets_an_unbounded_integer_through():
    assert not [r for r, kinds in routes() if "int" in kinds]
    assert len(ID_ROUTES) > 30  # the app's id-taking pages are all found


@pytest.fixture
def small(db):
    with time_machine.travel(NOW, tick=False):
        yield build_small_year()


@pytest.mark.parametrize("value", [HUGE, OVER])
def test_every_id_taking_url_answers_404_to_an_id_beyond_the_database(client, small, value):
    client.force_login(small.office)
    for route in ID_ROUTES:
        url = url_with(route, value)
        # In the admin an unmatched id falls to the admin's own catch-all, which redirects to
        # the change page and from there, for an object that does not exist, to the index.
        wanted = {302, 404} if route.startswith("admin/") else {404}
        for method in (client.get, client.post):
            assert method(url).status_code in wanted, (route, method.__name__)


def test_the_largest_id_reaches_the_views_and_is_not_found(client, small):
    """MAX_ID passes the converter: every view must then answer without a server error."""
    client.force_login(small.office)
    for route in ID_ROUTES:
        url = url_with(route, str(MAX_ID))
        for method in (client.get, client.post):
            assert method(url).status_code < 500, (route, method.__name__)


def test_admin_object_pages_survive_a_huge_id(client, small):
    """The superuser reaches every admin page, so it tries every value; the office's pages are
    a subset of the same views, asked once more with the audit's value under its permissions."""
    superuser = make_user("root", is_superuser=True, is_staff=True)
    for user, values in ((superuser, (HUGE, OVER, str(MAX_ID))), (small.office, (HUGE,))):
        client.force_login(user)
        for route in ADMIN_OBJECT_ROUTES:
            for value in values:
                assert client.get(url_with(route, value)).status_code < 500, route


def test_as_id():
    assert as_id("42") == 42 and as_id(42) == 42 and as_id(str(MAX_ID)) == MAX_ID
    for bad in ("", " ", "0", "-1", "1.0", "²", "１２", "٣", OVER, HUGE, "1e3", None, True, 0):
        assert as_id(bad) is None, bad


# --- ids in query strings and forms ---------------------------------------------------------


def test_reviewer_verify_with_a_huge_id_is_a_400_in_chinese(client, small):
    client.force_login(small.reviewer)
    for value in (HUGE, OVER, "²", "abc"):
        response = client.post(reverse("review-verify"), {"entry": ["1", value]})
        assert response.status_code == 400, value
        assert "参数“entry”应为编号" in response.content.decode()


def test_review_queue_filters_with_a_huge_id_are_a_400(client, small):
    client.force_login(small.reviewer)
    for name in ("period", "unit", "campaign"):
        response = client.get(reverse("review-queue"), {name: HUGE})
        assert response.status_code == 400 and f"参数“{name}”" in response.content.decode()
    assert client.get(reverse("review-queue"), {"unit": ""}).status_code == 200


def test_office_filters_and_report_requests_with_a_huge_id(client, small):
    client.force_login(small.office)
    assert client.get(reverse("completeness"), {"group": HUGE}).status_code == 400
    assert client.get(reverse("completeness-xlsx"), {"group": OVER}).status_code == 400
    assert client.get(reverse("appeal-list"), {"evaluation": HUGE}).status_code == 400
    assert client.get(reverse("file-list"), {"unit": HUGE, "group": "²"}).status_code == 200
    response = client.post(
        reverse("report-request"), {"identifier": "scorecard", "evaluation_id": HUGE}
    )
    assert response.status_code == 400
    export = client.get(reverse("results-export", args=["ranking"]), {"evaluation_id": HUGE})
    assert export.status_code < 500
    opened = client.post(reverse("evaluation-open"), {"quarter": "²"})
    assert opened.status_code == 302
