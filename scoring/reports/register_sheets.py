"""Excel of the three registers (重点项目 / 招商签约 / 试点村), with their list pages' filters.

`render(params)` never sees the request, so the params name the viewer (`viewer`, a user id)
whose scope the rows are read in (campaigns.registers.scope through the list selectors), and
`allowed` grants them only to that very user: nobody downloads another person's view. The
rest of the params are the list's filters, read by the same selector as the page.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import User
from accounts.permissions import user_acts_as
from accounts.roles import Role
from campaigns.excel import FIGURE, StreamedWorkbook, Styled, append_safe, workbook_bytes
from campaigns.models import PilotVillage
from campaigns.registers import selectors
from jiaozhang.ids import as_id

from .registry import Export, register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHO = (Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER, Role.OFFICE, Role.LEADER)


def _viewer(params):
    """The user whose scope the rows are read in; nobody known reads no rows."""
    viewer = as_id(params.get("viewer"))
    found = User.objects.filter(pk=viewer, is_active=True).first() if viewer else None
    return found or AnonymousUser()


def allowed(user, params: dict) -> str | None:
    if not any(user_acts_as(user, role) for role in WHO):
        return "只有单位人员、审核员、考核办和县领导可以下载台帐。"
    if as_id(params.get("viewer")) != user.pk:
        return "只能下载本人可查看范围内的台帐。"
    return None


def cache_key(params: dict) -> str:
    # rendered within the request every time (synchronous), never cached by a report job
    return "live-" + "-".join(f"{k}{params[k]}" for k in sorted(params))


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _sheet(book, title: str, headers: list[tuple[str, int]]):
    return book.add_sheet(title, headers, footer=title)


def _number(value):
    return Styled(value, FIGURE)


def _checked(row) -> str:
    if row.last_check is None:
        return "从未实地查看"
    return f"{_date(row.last_check)}（{row.days_since_check}天前）"


def _page(rows, params):
    viewer = _viewer(params)
    return rows(viewer, params, today=timezone.localdate())


def render_projects(params: dict):
    page = _page(selectors.project_rows, params)
    book = StreamedWorkbook()
    title = f"{page.year.year if page.year else ''}年重点项目台帐"
    sheet = _sheet(
        book,
        "重点项目",
        [("项目名称", 28), ("会战", 14), ("责任单位", 16), ("所在园区", 14), ("分包县领导", 10),
         ("项目类别", 10), ("总投资（万元）", 14), ("年度计划投资（万元）", 14),
         ("本年累计完成投资（万元）", 14), ("计划开工日期", 14), ("当前状态", 8),
         ("实际开工日期", 14), ("制约因素", 14), ("制约因素说明", 24), ("战略支撑项目", 8),
         ("精品工程", 8), ("逾期未开工", 8), ("最近实地查看", 22)],
    )  # fmt: skip
    for row in page.rows:
        p = row.obj
        append_safe(
            sheet,
            [
                p.name,
                p.campaign.name,
                p.unit.name,
                p.park.name if p.park else "",
                p.leader.full_name if p.leader else "",
                p.get_category_display(),
                _number(p.total_investment),
                _number(p.annual_plan),
                _number(p.investment_to_date),
                _date(p.planned_start),
                p.get_status_display(),
                _date(p.started_on),
                "、".join(p.blocker_labels),
                p.blocking_note,
                "是" if p.strategic else "否",
                "是" if p.showcase else "否",
                "是" if row.red else "",
                _checked(row),
            ],
        )
    return f"{title}.xlsx", XLSX, workbook_bytes(book)


def render_signed(params: dict):
    page = _page(selectors.signed_rows, params)
    book = StreamedWorkbook()
    title = f"{page.year.year if page.year else ''}年招商签约台帐"
    sheet = _sheet(
        book,
        "招商签约",
        [("项目名称", 28), ("签约单位", 16), ("投资方", 24), ("投资方类别", 10),
         ("协议投资额（万元）", 14), ("核实投资额（万元）", 14), ("签约日期", 14),
         ("进展阶段", 8), ("核实状态", 8)],
    )  # fmt: skip
    for row in page.rows:
        s = row.obj
        append_safe(
            sheet,
            [
                s.name,
                s.unit.name,
                s.investor,
                s.get_investor_class_display(),
                _number(s.amount),
                _number(s.verified_amount),
                _date(s.signed_on),
                s.get_stage_display(),
                s.get_review_status_display(),
            ],
        )
    return f"{title}.xlsx", XLSX, workbook_bytes(book)


def render_villages(params: dict):
    page = _page(selectors.village_rows, params)
    book = StreamedWorkbook()
    title = f"{page.year.year if page.year else ''}年美丽乡村试点村台帐"
    funds = [
        (str(PilotVillage._meta.get_field(name).verbose_name), name)
        for name in PilotVillage.FUND_FIELDS
    ]
    sheet = _sheet(
        book,
        "试点村",
        [("村名", 14), ("所属乡镇", 14), ("试点级别", 12), ("分包县领导", 10),
         ("建设任务数", 10), ("已完成任务", 10), ("平均完成进度（%）", 12),
         *((label, 14) for label, _ in funds), ("最近实地查看", 22)],
    )  # fmt: skip
    tasks = _sheet(book, "建设任务", [("所属乡镇", 14), ("村名", 14), ("建设任务", 30),
                                       ("完成时限", 14), ("完成进度（%）", 12)])  # fmt: skip
    for row in page.rows:
        v = row.obj
        append_safe(
            sheet,
            [
                v.name,
                v.township.name,
                v.get_level_display(),
                v.leader.full_name if v.leader else "",
                row.task_count,
                row.tasks_done,
                _number(row.task_rate),
                *(_number(getattr(v, name)) for _, name in funds),
                _checked(row),
            ],
        )
        for task in v.tasks.all():
            append_safe(
                tasks,
                [
                    v.township.name,
                    v.name,
                    task.name,
                    _date(task.due_on),
                    _number(task.completion),
                ],
            )
    return f"{title}.xlsx", XLSX, workbook_bytes(book)


for identifier, label, render in (
    ("register_projects_xlsx", "重点项目台帐（Excel）", render_projects),
    ("register_signed_xlsx", "招商签约台帐（Excel）", render_signed),
    ("register_villages_xlsx", "美丽乡村试点村台帐（Excel）", render_villages),
):
    register(
        Export(
            identifier=identifier,
            label=label,
            render=render,
            allowed=allowed,
            cache_key=cache_key,
            synchronous=True,  # a county's few hundred rows: rendered within the request
        )
    )
