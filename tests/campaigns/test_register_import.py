"""The office's Excel import of the project and village lists: all or nothing, per-cell
Chinese errors, re-import updates rows matched by name (in their history)."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from campaigns.errors import LedgerError
from campaigns.models import KeyProject, PilotVillage, VillageTask
from campaigns.services.registers.importing import import_register, projects, villages
from tests.campaigns.register_builders import build_register_year

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-05-15 10:00")]


@pytest.fixture
def reg():
    return build_register_year(year=2026)


def _book(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _project(name="城关镇新材料项目", **overrides):
    row = {
        "项目名称": name,
        "会战": "固定资产投资会战",
        "责任单位": "城关镇",
        "所在园区": "",
        "分包县领导": "王县长",
        "项目类别": "工业项目",
        "总投资（万元）": 12000,
        "年度计划投资（万元）": 5000,
        "计划开工日期": "2026-06-30",
        "登记时状态": "未开工",
        "战略支撑项目": "是",
        "精品工程": "否",
    }
    row.update(overrides)
    return [row[h] for h in projects.HEADERS]


def _projects_file(*rows) -> bytes:
    return _book({projects.SHEET: [projects.HEADERS, *rows]})


def _fix_names(reg):
    """The small year's campaign and townships under the names the rows use."""
    campaign = reg.small.investment.campaign
    return campaign.name, reg.township.name


def test_good_file_creates_projects_with_history(reg):
    campaign, township = _fix_names(reg)
    content = _projects_file(
        _project(会战=campaign, 责任单位=township),
        _project("城关镇冷链物流", 会战=campaign, 责任单位=township, 分包县领导="", 登记时状态=""),
    )
    result = import_register(kind="projects", file=content, user=reg.small.office)
    assert (result.created, result.updated) == (2, 0)
    made = KeyProject.objects.get(name="城关镇新材料项目")
    assert made.leader == reg.leader and made.strategic and not made.showcase
    assert made.total_investment == Decimal("12000") and made.status == "not_started"
    assert made.history.first().history_user == reg.small.office


def test_reimport_updates_rows_matched_by_name(reg):
    campaign, township = _fix_names(reg)
    content = _projects_file(
        _project(reg.food_park.name, 会战=campaign, 责任单位=township, **{"总投资（万元）": 60000})
    )
    result = import_register(kind="projects", file=content, user=reg.small.office)
    assert (result.created, result.updated) == (0, 1)
    reg.food_park.refresh_from_db()
    assert reg.food_park.total_investment == Decimal("60000")
    assert reg.food_park.history.count() == 2  # created, then updated by the import
    again = import_register(kind="projects", file=content, user=reg.small.office)
    assert again.unchanged == 1


def test_each_bad_cell_is_listed_and_nothing_is_saved(reg):
    campaign, township = _fix_names(reg)
    before = KeyProject.objects.count(), KeyProject.history.model.objects.count()
    content = _projects_file(
        _project("甲", 会战="不存在会战", 责任单位=township),
        _project("乙", 会战=campaign, 责任单位="不存在单位"),
        _project("丙", 会战=campaign, 责任单位=township, 分包县领导="李四"),
        _project(
            "丁",
            会战=campaign,
            责任单位=township,
            **{"总投资（万元）": 100, "年度计划投资（万元）": 200},
        ),
        _project("戊", 会战=campaign, 责任单位=township, 计划开工日期="明年"),
        _project("己", 会战=campaign, 责任单位=township, **{"总投资（万元）": -5}),
        _project("甲", 会战=campaign, 责任单位=township),
        _project("庚", 会战=campaign, 责任单位=township, 项目类别="航天"),
        _project("辛", 会战=campaign, 责任单位=township, 战略支撑项目="对"),
        _project("壬", 会战=campaign, 责任单位=township, **{"总投资（万元）": "1,000"}),
    )
    with pytest.raises(LedgerError) as caught:
        import_register(kind="projects", file=content, user=reg.small.office)
    messages = caught.value.messages
    expected = [
        "第2行「会战」：2026年没有会战“不存在会战”",
        "第3行「责任单位」：找不到单位“不存在单位”",
        "第4行「分包县领导」：找不到县领导“李四”",
        "第5行「年度计划投资（万元）」：年度计划投资 200 万元超过总投资 100 万元",
        "第6行「计划开工日期」：应为日期",
        "第7行「总投资（万元）」：不能为负数",
        "第8行「项目名称」：与第2行重名",
        "第9行「项目类别」：应为工业项目",
        "第10行「战略支撑项目」：应填“是”或“否”",
        "第11行「总投资（万元）」：应为数字，请去掉千位分隔符",
    ]
    for text in expected:
        assert any(text in m for m in messages), (text, messages)
    assert all(m.startswith("工作表「重点项目」") for m in messages)
    assert (KeyProject.objects.count(), KeyProject.history.model.objects.count()) == before


def test_a_name_already_registered_is_updated_not_duplicated(reg):
    campaign, township = _fix_names(reg)
    content = _projects_file(_project(reg.other_project.name, 会战=campaign, 责任单位=township))
    import_register(kind="projects", file=content, user=reg.small.office)
    assert KeyProject.objects.filter(name=reg.other_project.name).count() == 1
    reg.other_project.refresh_from_db()
    assert reg.other_project.unit == reg.township  # moved, recorded in history


def test_only_the_office_imports(reg):
    with pytest.raises(LedgerError):
        import_register(kind="projects", file=_projects_file(), user=reg.small.reporter)


def test_villages_and_tasks(reg):
    _, township = _fix_names(reg)
    content = _book(
        {
            villages.SHEET: [
                villages.HEADERS,
                ["西村", township, "市级", "王县长", 10, 20, 30, 5, 5, 0],
                ["东村", township, "省级", "王县长", 100, 50, 50, 40, 20, 15],
            ],
            villages.TASK_SHEET: [
                villages.TASK_HEADERS,
                [township, "西村", "道路硬化", "2026年7月31日"],
                [township, "东村", "村道硬化", "2026-08-31"],
                [township, "东村", "新建公厕", "2026-06-30"],
            ],
        }
    )
    result = import_register(kind="villages", file=content, user=reg.small.office)
    assert result.created == 3  # 西村, its task, 新建公厕
    reg.village.refresh_from_db()
    assert reg.village.match_village == Decimal("15")
    assert VillageTask.objects.get(village=reg.village, name="村道硬化").due_on.month == 8
    assert PilotVillage.objects.get(name="西村").level == "municipal"


def test_village_errors_nothing_saved(reg):
    _, township = _fix_names(reg)
    before = PilotVillage.objects.count(), VillageTask.objects.count()
    content = _book(
        {
            villages.SHEET: [villages.HEADERS, ["北村", township, "国家级", "", -1, 0, 0, 0, 0, 0]],
            villages.TASK_SHEET: [
                villages.TASK_HEADERS,
                [township, "南村", "道路", "2026-07-31"],
                [township, "北村", "道路", "7月底"],
            ],
        }
    )
    with pytest.raises(LedgerError) as caught:
        import_register(kind="villages", file=content, user=reg.small.office)
    text = "\n".join(caught.value.messages)
    assert "工作表「试点村」第2行「试点级别」" in text
    assert "工作表「试点村」第2行「中央资金（万元）」：不能为负数" in text
    assert "工作表「建设任务」第2行「村名」" in text and "南村" in text
    assert "工作表「建设任务」第3行「完成时限」" in text
    assert (PilotVillage.objects.count(), VillageTask.objects.count()) == before


def test_import_page_and_template(client, reg):
    client.force_login(reg.small.office)
    response = client.get(reverse("register-import-template"), {"kind": "projects"})
    sheet = load_workbook(BytesIO(response.content))[projects.SHEET]
    assert [c.value for c in sheet[1]] == projects.HEADERS
    assert sheet.max_row == 5  # the year's four projects, prefilled
    upload = SimpleUploadedFile("x.xlsx", _projects_file(_project(会战="无此会战")))
    page = client.post(reverse("register-import"), {"kind": "projects", "file": upload})
    assert page.status_code == 400
    assert "没有会战“无此会战”" in page.content.decode()
    # the template, uploaded as it is, changes nothing
    upload = SimpleUploadedFile("t.xlsx", response.content)
    done = client.post(reverse("register-import"), {"kind": "projects", "file": upload})
    assert done.status_code == 302
    assert KeyProject.objects.count() == 4
