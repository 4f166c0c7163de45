"""Every URL taking an id, asked by a user of unit A for A's object and for unit B's.

tests/test_permission_matrix.py checks role × URL; this checks own vs other object: A's id
answers as for the role, B's is refused (404, or 403 where the design says so) without B's
text in the body, and a refused POST changes no row of either unit. The list of URLs comes
from the URL conf, so a new page taking an id fails until it has a row in
tests/object_matrix_args.py.

The two units' objects are built once for the module (one transaction, rolled back at its
end); each test runs in a savepoint of it, so what one request changes the next never sees.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from tests.helpers import built_for_module
from tests.object_matrix_args import ROWS
from tests.object_matrix_world import MARK, Side, World, build_world

# Q1 2026 is computed and open for appeals, Q2 is running (as in the role matrix).
NOW = "2026-04-15 10:00"
# One worker builds the module's world once (see `world`).
pytestmark = [pytest.mark.clock(NOW), pytest.mark.xdist_group("object-matrix")]
UNIT = {Role.REPORTER, Role.UNIT_HEAD}


def id_urls(resolver=None, namespace="", prefix=""):
    """Names of the URL patterns whose route takes an `<id:…>`, the admin's aside."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from id_urls(entry, entry.namespace or namespace, route)
        elif isinstance(entry, URLPattern) and entry.name and "<id:" in route:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_url_taking_an_id_has_a_row():
    names = set(id_urls())
    assert len(names) > 50
    assert sorted(names - set(ROWS)) == [], "add a row to tests/object_matrix_args.py"
    assert sorted(set(ROWS) - names) == [], "a row for a URL that is gone"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both units' objects, in a transaction rolled back when the module is done."""
    media = tmp_path_factory.mktemp("object-matrix-media")

    def build() -> World:
        built = build_world()
        built.extra["media"] = media
        return built

    yield from built_for_module(django_db_blocker, now=NOW, media=media, build=build)


def footprint(side: Side) -> dict:
    """Every stored row of one unit's objects, as values: what a refused POST must not touch."""
    from accounts.models import Notification, User
    from campaigns.models import (
        Evidence,
        FollowUp,
        FollowUpEvent,
        KeyProject,
        LedgerEntry,
        PilotVillage,
        ProjectReport,
        SignedProject,
        VillageReport,
        WeeklyLedger,
    )
    from scoring.models import Appeal, FileEntry, ReportJob

    unit = side.unit
    tables = {
        WeeklyLedger: {"unit": unit},
        LedgerEntry: {"ledger__unit": unit},
        Evidence: {"entry__ledger__unit": unit},
        FollowUp: {"unit": unit},
        FollowUpEvent: {"follow_up__unit": unit},
        ProjectReport: {"ledger__unit": unit},
        VillageReport: {"ledger__unit": unit},
        SignedProject: {"unit": unit},
        KeyProject: {"unit": unit},
        PilotVillage: {"township": unit},
        Notification: {"recipient__unit": unit},
        User: {"unit": unit},
        Appeal: {"unit": unit},
        FileEntry: {"unit": unit},
        ReportJob: {"requested_by__unit": unit},
    }
    evidence = Evidence.objects.filter(project_report__ledger__unit=unit) | Evidence.objects.filter(
        village_report__ledger__unit=unit
    )
    rows = {
        model.__name__: list(model.objects.filter(**where).order_by("pk").values())
        for model, where in tables.items()
    }
    rows["register evidence"] = list(evidence.order_by("pk").values())
    return rows


def _body(response) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return content.decode("utf-8", "replace")


def _ask(client, row, url, data):
    if row.method == "post":
        return client.post(url, data)
    return client.get(url)


def _refusals(caplog) -> list[str]:
    """The jiaozhang.access lines logged so far in this test, then forgotten."""
    lines = [r.getMessage() for r in caplog.records if r.name == "jiaozhang.access"]
    assert all(r.levelname == "WARNING" for r in caplog.records if r.name == "jiaozhang.access")
    caplog.clear()
    return lines


@pytest.mark.parametrize("name", sorted(ROWS))
def test_own_and_other_object(client, db, settings, caplog, world: World, name):
    """A's object answers as for the role; B's is refused, leaks nothing, changes nothing
    and leaves one line on jiaozhang.access (a refusal by message on a page, none)."""
    row = ROWS[name]
    settings.MEDIA_ROOT = world.extra["media"]
    client.force_login(world.users[row.who])
    problems = []
    if row.refused is not None:
        if row.other:
            args, leak, data = row.other(world)
        else:
            args, leak, data = row.args(world, world.b), MARK["b"], row.data(world, world.b)
        before = footprint(world.a), footprint(world.b)
        caplog.clear()
        url = reverse(name, args=args)
        response = _ask(client, row, url, data)
        logged = _refusals(caplog)
        if row.refused in (403, 404) and (len(logged) != 1 or url not in logged[0]):
            problems.append(f"other: expected one refusal logged for {url}, got {logged}")
        if response.status_code != row.refused:
            problems.append(f"other: got {response.status_code}, expected {row.refused}")
        if leak in _body(response):
            problems.append(f"other: the refusal shows {leak!r}")
        if (footprint(world.a), footprint(world.b)) != before:
            problems.append("other: the refused request changed stored rows")
    before_b = footprint(world.b)
    own = reverse(name, args=row.args(world, world.a))
    response = _ask(client, row, own, row.data(world, world.a))
    if response.status_code not in (row.ok if isinstance(row.ok, set) else {row.ok}):
        problems.append(f"own: got {response.status_code}, expected {row.ok}")
    if _refusals(caplog):
        problems.append("own: logged as refused")
    if row.refused is None:
        # The office, leaders and the administrator read every unit; unit people only theirs.
        if row.who in UNIT and MARK["b"] in _body(response):
            problems.append("own: the page shows unit B's data")
        # A county-wide action (issuing a 周通报) may notify every unit, and nothing more.
        after_b = footprint(world.b)
        before_b.pop("Notification"), after_b.pop("Notification")
        if after_b != before_b:
            problems.append("own: the request changed unit B's rows")
    assert not problems, f"{name}: " + "; ".join(problems)


def test_another_units_entry_is_logged_once(client, db, world: World, caplog):
    """Unit A's reporter posting a photo onto unit B's entry: a 404, and one WARNING on
    jiaozhang.access naming the user (id and username), the path and the entry's id."""
    reporter, entry = world.a.reporter, world.b.entry
    client.force_login(reporter)
    caplog.clear()
    url = reverse("evidence-upload", args=[entry.pk])
    assert client.post(url).status_code == 404
    (record,) = [r for r in caplog.records if r.name == "jiaozhang.access"]
    assert record.levelname == "WARNING"
    line = record.getMessage()
    assert f"user {reporter.pk}({reporter.username})" in line
    assert f"POST {url} object evidence-upload entry_id={entry.pk}" in line
    assert "matches the given query" in line  # the scoped lookup's message names the model
    assert record.object == {"entry_id": entry.pk}


def test_a_missing_page_is_logged_without_its_query_string(client, db, world: World, caplog):
    """A path no URL matches: logged with the user and the path, no object, and the query
    string (which may carry a token or a search) left out."""
    client.force_login(world.a.reporter)
    caplog.clear()
    assert client.get("/no-such-page/?token=s3cret").status_code == 404
    (line,) = _refusals(caplog)
    assert line.startswith(f"refused 404: user {world.a.reporter.pk}(rep) GET /no-such-page/")
    assert "object -" in line
    assert "s3cret" not in line


def test_a_role_refusal_is_logged_with_its_reason(client, db, world: World, caplog):
    """A 403 from role_required: the Chinese reason is in the line; anonymous users are named."""
    client.force_login(world.a.reporter)
    caplog.clear()
    assert client.get(reverse("review-queue")).status_code == 403
    (line,) = _refusals(caplog)
    assert "review-queue" in line and "此页面仅供" in line
    client.logout()
    assert client.get("/no-such-page/").status_code == 404
    assert _refusals(caplog)[0].startswith("refused 404: user anonymous GET /no-such-page/")
