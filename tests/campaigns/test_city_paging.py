"""Pages that a city (~900 units) would render whole show one ranking group or one page at a time
(issue 14): the completeness matrix, the reviewer queue, the register lists, the 分包 view, the
results and evaluation pages. Page sizes are made small here so a few rows fill two pages.

The small year (build_small_year): three townships (乡镇组, the first group) carry the tasks;
发改委 (a department, another group) is given a target too, so 全部 has a second group.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.selectors import review_queue
from campaigns.services.years import set_target
from campaigns.views import review
from campaigns.views.registers import contracted, pages
from scoring.models import UnitScore
from tests.campaigns.builders import build_small_year, hand_in
from tests.campaigns.register_builders import build_register_year
from tests.helpers import count_queries, make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[str]:
    return [part.split('"')[0].replace("&amp;", "&") for part in html.split('href="?')[1:]]


# --- the completeness matrix ----------------------------------------------------------------


@pytest.mark.clock("2026-04-15 10:00")
def test_completeness_opens_on_the_first_group_and_全部_shows_every_group(client):
    small = build_small_year()
    fgw = small.investment.lead_unit
    set_target(indicator=small.investment, unit=fgw, annual_value=Decimal("5"))
    township = small.reporter.unit
    client.force_login(small.office)
    page = client.get(reverse("completeness"))
    assert page.context["group_id"] == township.group_id  # 乡镇组 comes first
    assert {unit.group_id for unit, _cells in page.context["rows"]} == {township.group_id}
    html = page.content.decode()
    assert f'{reverse("completeness-xlsx")}?group={township.group_id}"' in html
    everything = client.get(reverse("completeness") + "?group=all")
    assert everything.context["group_id"] is None
    shown = {unit.pk for unit, _cells in everything.context["rows"]}
    assert fgw.pk in shown and township.pk in shown
    assert f'{reverse("completeness-xlsx")}"' in everything.content.decode()
    other = client.get(reverse("completeness") + f"?group={fgw.group_id}")
    assert [unit.pk for unit, _cells in other.context["rows"]] == [fgw.pk]


# --- the reviewer queue -----------------------------------------------------------------------


@pytest.mark.clock("2026-04-15 10:00")
def test_review_queue_pages_keep_the_status_filter(client, monkeypatch):
    small = build_small_year()
    for unit in small.county.units[:3]:
        hand_in(small, unit, week=10)
    monkeypatch.setattr(review, "PAGE_SIZE", 2)
    client.force_login(small.reviewer)
    url = reverse("review-queue")
    first = client.get(url + "?status=all")
    total = first.context["page"].paginator.count
    assert total == 6  # 投资 and 防汛 of three townships (发改委 leads both)
    assert len(first.context["entries"]) == 2
    assert "status=all&page=2" in _links(first.content.decode())
    last = client.get(url + "?status=all&page=3")
    assert len(last.context["entries"]) == 2 and "上一页" in last.content.decode()
    seen = {
        e.pk for n in (1, 2, 3) for e in client.get(f"{url}?status=all&page={n}").context["entries"]
    }
    assert len(seen) == total  # every row on exactly one page
    past_the_end = client.get(url + "?status=all&page=99")
    assert past_the_end.context["page"].number == 3  # the last page, not an error


@pytest.mark.clock("2026-04-15 10:00")
def test_review_queue_pages_follow_the_queue_order(client, monkeypatch):
    """A page's rows are picked by the queue's sort and read whole after (issue 14): they come
    in the queue's order — week, then indicator, then unit — not in the order they were written
    (unit by unit). Weeks 9 and 10 of three townships, two rows a page."""
    small = build_small_year()
    units = small.county.units[:3]
    reporters = {u: make_user(f"r{u.pk}", Role.REPORTER, unit=u) for u in units}
    for week in (9, 10):
        for unit in units:
            hand_in(small, unit, week=week, reporter=reporters[unit])
    monkeypatch.setattr(review, "PAGE_SIZE", 2)
    client.force_login(small.reviewer)
    shown = [
        entry.pk
        for number in (1, 2, 3, 4, 5, 6)
        for entry in client.get(reverse("review-queue") + f"?status=all&page={number}").context[
            "entries"
        ]
    ]
    queue = review_queue(small.reviewer)
    assert shown == list(queue.values_list("pk", flat=True))
    weeks = [(e.ledger.period.iso_week, e.indicator.sort_order) for e in queue]
    assert weeks == sorted(weeks, key=lambda pair: (-pair[0], pair[1]))
    assert shown != sorted(shown)  # written unit by unit: the sort is the queue's own


@pytest.mark.clock("2026-04-15 10:00")
def test_review_queue_unit_filter_lists_only_the_reviewed_units(client, monkeypatch):
    small = build_small_year()
    for unit in small.county.units[:3]:
        hand_in(small, unit, week=10)
    client.force_login(small.reviewer)
    page = client.get(reverse("review-queue"))
    townships = {unit.pk for unit in small.county.units[:3]}
    assert {unit.pk for unit in page.context["units"]} == townships  # not all 8 units
    # Past the limit the drop-down becomes a name search.
    monkeypatch.setattr(review, "UNIT_PICKER_LIMIT", 2)
    searched = client.get(reverse("review-queue") + "?status=all&unit_name=城关")
    assert searched.context["units"] is None
    assert 'data-testid="unit-search"' in searched.content.decode()
    units = {e.ledger.unit_id for e in searched.context["entries"]}
    assert units == {small.reporter.unit.pk}


# --- register lists and the 分包 view ---------------------------------------------------------


@pytest.mark.clock("2026-05-15 10:00")
def test_register_list_pages_keep_filters_and_end_on_the_last_page(client, monkeypatch):
    reg = build_register_year()
    monkeypatch.setattr(pages, "PAGE_SIZE", 3)
    client.force_login(reg.small.office)
    campaign = reg.food_park.campaign_id
    url = reverse("register-projects") + f"?campaign={campaign}"
    first = client.get(url)
    assert first.context["page"].paging.paginator.count == 4
    assert len(first.context["page"].rows) == 3 and "共 4 个项目" in first.content.decode()
    assert f"campaign={campaign}&page=2" in _links(first.content.decode())
    second = client.get(url + "&page=2")
    names = {row.obj.name for row in first.context["page"].rows + second.context["page"].rows}
    assert len(names) == 4
    assert client.get(url + "&page=7").context["page"].paging.number == 2
    for name in ("register-signed", "register-villages"):
        assert client.get(reverse(name) + "?page=5").status_code == 200


@pytest.mark.clock("2026-05-15 10:00")
def test_contracted_全部_pages_projects_and_villages_apart(client, monkeypatch):
    reg = build_register_year()
    monkeypatch.setattr(contracted, "PAGE_SIZE", 2)
    client.force_login(reg.small.office)
    first = client.get(reverse("register-contracted") + "?leader=all")
    assert len(first.context["view"].projects) == 4  # the summary counts every row
    assert len(first.context["projects"]) == 2
    assert "leader=all&page=2" in _links(first.content.decode())
    second = client.get(reverse("register-contracted") + "?leader=all&page=2&vpage=9")
    assert len(second.context["projects"]) == 2 and second.context["villages"].number == 1


# --- results and evaluation pages --------------------------------------------------------------


@pytest.mark.clock("2026-04-15 10:00")
def test_results_and_evaluation_pages_show_one_group(client):
    small, evaluation, (a, _b, _c) = published_quarter()
    other = small.county.units_named("县发展和改革委员会")
    UnitScore.objects.create(
        version=evaluation.current_version, unit=other, group=other.group, sort_order=99,
        scored_points=0, earned_points=0, timeliness=0, bonus=0, penalty=0, total=Decimal(90),
        rank=1, position=1, tier="advanced",
    )  # fmt: skip
    leader = make_user("leader", Role.LEADER)
    client.force_login(leader)
    url = reverse("results-detail", args=[evaluation.pk])
    page = client.get(url)
    assert [group.pk for group, _rows in page.context["groups"]] == [a.group_id]
    assert page.context["summary"]["units"] == 4  # the figures count every group
    assert other.name not in page.content.decode()
    assert 'data-testid="group-picker"' in page.content.decode()
    picked = client.get(url + f"?group={other.group_id}")
    assert [s.unit_id for _g, rows in picked.context["groups"] for s in rows] == [other.pk]
    missing = client.get(url + "?group=999999")
    assert missing.status_code == 404  # the Chinese 404 page
    client.force_login(small.office)
    detail = reverse("evaluation-detail", args=[evaluation.pk])
    shown = client.get(detail + f"?group={other.group_id}").content.decode()
    assert other.name in shown and a.name not in shown
    assert a.name in client.get(detail).content.decode()


@pytest.mark.clock("2026-04-15 10:00")
def test_evaluation_page_queries_do_not_grow_with_the_group(client):
    small, evaluation, (a, b, c) = published_quarter()
    client.force_login(small.office)
    url = reverse("evaluation-detail", args=[evaluation.pk])
    client.get(url)  # warm-up: sessions, content types
    with count_queries() as few:
        assert client.get(url).status_code == 200
    template = UnitScore.objects.filter(version=evaluation.current_version, unit=a).get()
    county = build_county(townships=15, departments=4, parks=1)
    added = [u for u in county.units if u.group_id == a.group_id and u.pk not in {a.pk, b.pk, c.pk}]
    for position, unit in enumerate(added, start=10):
        template.pk, template.unit, template.position = None, unit, position
        template.save()
    with count_queries() as many:
        page = client.get(url)
    assert len(added) == 12
    assert sum(len(rows) for _g, rows, _n in page.context["groups"]) == 3 + 12
    assert len(many) == len(few)
