"""The 亮相会 deck: its slides, rank changes, photos of the quarter, open follow-ups, preview.

The quarter is test_results_pages' `published_quarter` (the three townships of
build_small_year, Q1 2026): 城关镇 A 108.33 1st 先进 (last quarter 2nd: ↑1), 青山镇 B 75.00 2nd
达标 (was 1st: ↓1), 白沙镇 C 55.00 3rd 后进 (was 3rd: →). One group, three units, so the deck
has 4 fixed slides (title, headline, 表扬, 检讨) + 1 ranking + 3 unit slides = 8.
"""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from accounts.roles import Role
from campaigns.models import FollowUp, Indicator, Inspection
from campaigns.services.evidence import attach_evidence
from scoring.models import IndicatorScore, UnitScore
from scoring.reports.registry import get_export
from scoring.showcase import FIXED_SLIDES, PHOTOS_PER_SLIDE, showcase_deck
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter
from tests.test_chinese_screens import english_words

pytestmark = pytest.mark.clock("2026-04-15 10:00")


def inspect(small, unit, visited_on, photos=1, colour="red"):
    """An on-site check of `unit` by the 发改委 reviewer, with `photos` distinct photos."""
    inspection = Inspection.objects.create(
        unit=unit, inspector=small.reviewer, visited_on=visited_on, place="城东工业园",
        findings="项目已开工",
    )  # fmt: skip
    for index in range(photos):
        image = Image.new("RGB", (64, 48), colour)
        image.putpixel((index % 64, index // 64), (0, 0, index % 255))
        buffer = BytesIO()
        image.save(buffer, "JPEG")
        attach_evidence(
            inspection=inspection,
            user=small.reviewer,
            upload=SimpleUploadedFile(f"现场{index}.jpg", buffer.getvalue()),
        )
    return inspection


def follow_up(small, unit, number, *, status=FollowUp.Status.ISSUED, card=""):
    return FollowUp.objects.create(
        year=small.year, number=number if status != FollowUp.Status.DRAFT else None,
        status=status, issuer_unit=small.reviewer.unit, unit=unit, indicator=small.investment,
        title=f"加快项目进度{number}", problem="进度滞后", requirement="月底前报送",
        due_on=date(2026, 4, 30), card=card,
    )  # fmt: skip


@pytest.fixture
def published(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return published_quarter()


def test_slides_are_the_fixed_ones_the_groups_and_the_units(published):
    small, evaluation, (a, b, c) = published
    deck = showcase_deck(small.office, evaluation.pk)
    assert not deck.preview
    assert [r.group.pk for r in deck.rankings] == [a.group_id]
    assert [s.score.unit_id for s in deck.units] == [a.pk, b.pk, c.pk]
    assert deck.slide_count == FIXED_SLIDES + 1 + 3 == 8
    assert deck.headline["units"] == 3
    assert (deck.headline["advanced"], deck.headline["standard"], deck.headline["lagging"]) == (
        1,
        1,
        1,
    )
    # (108.33… + 75 + 55) / 3 = 79.44
    assert deck.headline["averages"] == [(a.group, "79.44")]
    assert [[s.unit_id for s in rows] for _g, rows in deck.praised] == [[a.pk]]
    assert [[s.unit_id for s in rows] for _g, rows in deck.lagging] == [[c.pk]]
    # The unit slide carries the version's indicator lines by campaign.
    first = deck.units[0]
    assert [c.name for c in first.campaigns] == ["项目建设会战", "严打整治会战"]
    assert [i.indicator.name for i in first.campaigns[0].lines] == [
        "固定资产投资完成额",
        "防汛物资到位",
    ]


def test_page_shows_every_slide_with_rank_changes(client, published):
    _small, evaluation, (a, b, c) = published
    client.force_login(make_user("leader", Role.LEADER))
    page = client.get(reverse("showcase", args=[evaluation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<section class="slide') == 8
    assert f'data-testid="change-{a.pk}"><span class="chg chg-up" title="上升1位">↑1' in html
    assert f'data-testid="change-{b.pk}"><span class="chg chg-down" title="下降1位">↓1' in html
    assert f'data-testid="change-{c.pk}"><span class="chg chg-same"' in html
    assert "预览" not in html
    assert "js/deck.js" in html and "<script>" not in html
    assert "108.33" in html and "通报表扬" in html and "责令检讨" in html
    assert english_words(html) == []


def test_a_unit_new_to_the_ranking_is_marked_new(client, published):
    small, evaluation, (_a, b, _c) = published
    UnitScore.objects.filter(version=evaluation.current_version, unit=b).update(previous_rank=None)
    client.force_login(small.office)
    html = client.get(reverse("showcase", args=[evaluation.pk])).content.decode()
    assert (
        f'data-testid="change-{b.pk}"><span class="chg chg-new" title="上季度未参加排名">新' in html
    )


def test_photos_only_from_the_units_own_quarter(published):
    """A: two checks in Q1 (5 photos: 4 shown, 1 counted) and one in April (Q2: not shown);
    B: none (the slide says so)."""
    small, evaluation, (a, b, c) = published
    inspect(small, a, date(2026, 3, 10), photos=3)
    inspect(small, a, date(2026, 1, 5), photos=2, colour="blue")
    april = inspect(small, a, date(2026, 4, 10), photos=1, colour="green")
    inspect(small, c, date(2025, 12, 30), photos=1)  # last year: not this quarter either
    deck = showcase_deck(small.office, evaluation.pk)
    slides = {s.score.unit_id: s for s in deck.units}
    shown = slides[a.pk].photos
    assert len(shown) == PHOTOS_PER_SLIDE and slides[a.pk].more_photos == 1
    assert [p.inspection.visited_on for p in shown[:3]] == [date(2026, 3, 10)] * 3
    assert all(p.inspection_id != april.pk for p in shown)
    assert slides[b.pk].photos == [] and slides[c.pk].photos == []


def test_open_follow_ups_of_the_unit(client, published):
    small, evaluation, (a, b, c) = published
    follow_up(small, a, 7, card="yellow")
    follow_up(small, a, 8, status=FollowUp.Status.CLOSED)
    follow_up(small, a, 9, status=FollowUp.Status.DRAFT)
    follow_up(small, b, 10, status=FollowUp.Status.CLOSING)
    deck = showcase_deck(small.office, evaluation.pk)
    slides = {s.score.unit_id: s for s in deck.units}
    assert [f.serial for f in slides[a.pk].follow_ups] == ["督办〔2026〕7号"]
    assert [f.serial for f in slides[b.pk].follow_ups] == ["督办〔2026〕10号"]
    assert slides[c.pk].follow_ups == []
    client.force_login(small.office)
    html = client.get(reverse("showcase", args=[evaluation.pk])).content.decode()
    assert "督办〔2026〕7号 · 4月30日前办结" in html and "黄牌" in html
    assert "无未办结交办事项" in html and "本季度无实地查看照片" in html


def test_office_previews_an_unpublished_quarter_marked_on_every_slide(client, db):
    small, evaluation, (_a, _b, _c) = published_quarter(publish=False)
    client.force_login(small.office)
    page = client.get(reverse("showcase", args=[evaluation.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["deck"].preview
    assert html.count('data-testid="preview-mark"') == html.count('<section class="slide') == 8
    assert english_words(html) == []


@pytest.mark.parametrize("role", [Role.REPORTER, Role.LEADER, Role.REVIEWER])
def test_others_cannot_open_an_unpublished_quarters_deck(client, db, role):
    small, evaluation, (_a, b, _c) = published_quarter(publish=False)
    user = small.reporter if role == Role.REPORTER else make_user("someone", role, unit=b)
    client.force_login(user)
    assert client.get(reverse("showcase", args=[evaluation.pk])).status_code == 404


def test_a_unit_sees_its_group_and_only_its_own_unit_slide(client, published):
    small, evaluation, (a, b, _c) = published
    inspect(small, a, date(2026, 3, 10), photos=1)
    client.force_login(small.reporter)  # 城关镇 A
    page = client.get(reverse("showcase", args=[evaluation.pk]))
    deck = page.context["deck"]
    assert [s.score.unit_id for s in deck.units] == [a.pk]
    assert deck.slide_count == FIXED_SLIDES + 1 + 1
    assert f'data-testid="slide-unit-{b.pk}"' not in page.content.decode()


# --- the printed pack -------------------------------------------------------------------------


def test_the_pack_is_a_landscape_pdf_one_slide_a_page_with_the_photos(published):
    """Three unit slides, one group: 8 pages of A4 landscape (842 × 595 pt); A's two photos
    are embedded from media storage; nothing outside static/ and the deck's photos is read."""
    small, evaluation, (a, _b, _c) = published
    inspect(small, a, date(2026, 3, 10), photos=2)
    export = get_export("showcase_deck")
    assert export.allowed(small.office, {"evaluation_id": evaluation.pk}) is None
    filename, content_type, content = export.render({"evaluation_id": evaluation.pk})
    assert content.startswith(b"%PDF") and content_type == "application/pdf"
    assert filename == "2026年第一季度交帐亮相会材料.pdf"
    reader = PdfReader(BytesIO(content))
    assert len(reader.pages) == 8
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)
    unit_page = reader.pages[5]  # title, headline, ranking, 表扬, 检讨, then 城关镇
    assert "城关镇" in unit_page.extract_text()
    assert len(unit_page.images) == 2
    assert "本季度无实地查看照片" in reader.pages[6].extract_text()  # 青山镇


def test_who_may_have_the_pack(published):
    small, evaluation, (a, _b, _c) = published
    export = get_export("showcase_deck")
    params = {"evaluation_id": evaluation.pk}
    assert export.allowed(make_user("leader", Role.LEADER), params) is None
    assert "仅供考核办和县领导" in export.allowed(small.reporter, params)
    assert "仅供考核办和县领导" in export.allowed(make_user("rv", Role.REVIEWER, unit=a), params)
    assert export.allowed(small.office, {}) == "报表参数不完整。"


def test_a_leader_may_not_have_an_unpublished_pack(db):
    small, evaluation, _units = published_quarter(publish=False)
    export = get_export("showcase_deck")
    params = {"evaluation_id": evaluation.pk}
    assert "尚未发布" in export.allowed(make_user("leader", Role.LEADER), params)
    assert export.allowed(small.office, params) is None
    assert export.cache_key(params).startswith(f"v{evaluation.current_version_id}-appeal")


def test_the_results_page_links_to_the_deck(client, published):
    """Leaders get the deck and its pack; a unit's reporter the deck (of its own group)."""
    small, evaluation, _units = published
    url = reverse("results-detail", args=[evaluation.pk])
    client.force_login(make_user("leader", Role.LEADER))
    html = client.get(url).content.decode()
    assert reverse("showcase", args=[evaluation.pk]) in html
    assert 'value="showcase_deck"' in html
    client.force_login(small.reporter)
    html = client.get(url).content.decode()
    assert reverse("showcase", args=[evaluation.pk]) in html
    assert 'value="showcase_deck"' not in html


def test_a_long_task_list_shows_the_lines_behind_schedule(client, published):
    """A gets 16 more indicators in 项目建设会战: 12 on track (r 1.1), three behind (r 0.5,
    0.6, 0.7), one not scored. With its own three (investment r 1.2, flood not scored, cases
    r 1.0) that is 19 lines > 14: the slide lists the three behind, in task-list order, and
    counts the rest — 项目建设会战 13 of its 16 scored lines on track (12 + investment) and
    2 not scored,
    严打整治会战 its one line (cases) on track."""
    small, evaluation, (a, _b, _c) = published
    score = UnitScore.objects.get(version=evaluation.current_version, unit=a)
    template = IndicatorScore.objects.filter(unit_score=score).first()
    rates = [Decimal("1.1")] * 12 + [Decimal("0.7"), Decimal("0.5"), Decimal("0.6"), None]
    for n, rate in enumerate(rates):
        indicator = Indicator.objects.create(
            campaign=small.investment.campaign, name=f"附加指标{n}", measure="个",
            direction="higher", points=1, lead_unit=small.investment.lead_unit,
            sort_order=10 + n,
        )  # fmt: skip
        template.pk, template.indicator, template.rate = None, indicator, rate
        template.save()
    deck = showcase_deck(small.office, evaluation.pk)
    slide = next(s for s in deck.units if s.score.unit_id == a.pk)
    assert slide.compact
    projects, crackdown = slide.campaigns
    assert [i.indicator.name for i in projects.lines] == ["附加指标12", "附加指标13", "附加指标14"]
    assert (projects.items, projects.on_track) == (16, 13)
    assert (projects.hidden_on_track, projects.hidden_unscored, projects.hidden_behind) == (
        13,
        2,
        0,
    )
    assert crackdown.lines == [] and crackdown.hidden_on_track == 1
    client.force_login(small.office)
    html = client.get(reverse("showcase", args=[evaluation.pk])).content.decode()
    assert "其余 13 项已达序时进度， 2 项本季度不计分" in html
    assert "13/16 项达到序时进度" in html
