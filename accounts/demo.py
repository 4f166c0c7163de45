"""Builds the demo county's units, ranking groups and role accounts (idempotent).

One builder serves the demo (`manage.py seed_demo`), the tests and the benchmarks, so the
county they exercise is the same; sizes are parameters so tests can compare 10 and 60 units.
"""

import secrets
import string
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import RankingGroup, Unit, User
from .roles import Role

TOWNSHIP_GROUP = "乡镇组"
ECONOMIC_GROUP = "经济部门组"
SOCIAL_GROUP = "社会事业部门组"
PARTY_GROUP = "党群部门组"
PARK_GROUP = "园区组"
GROUP_NAMES = [TOWNSHIP_GROUP, ECONOMIC_GROUP, SOCIAL_GROUP, PARTY_GROUP, PARK_GROUP]

TOWNSHIPS = [
    "城关镇", "青山镇", "白沙镇", "龙泉镇", "桃源镇", "石门镇", "柳河镇", "金坪镇",
    "双河镇", "马鞍镇", "黄土岭乡", "清水乡", "梅花乡", "杨柳乡", "高桥乡", "新田乡",
    "红星乡", "大坪乡", "云台乡", "长岭乡", "东湖乡", "西溪乡", "南岗乡", "北塘乡",
]  # fmt: skip

# (name, short name, group): the county departments a real county assesses.
DEPARTMENTS = [
    ("县发展和改革委员会", "县发改委", ECONOMIC_GROUP),
    ("县住房和城乡建设局", "县住建局", ECONOMIC_GROUP),
    ("县农业农村局", "县农业农村局", ECONOMIC_GROUP),
    ("县委政法委员会", "县委政法委", PARTY_GROUP),
    ("县工业和信息化局", "县工信局", ECONOMIC_GROUP),
    ("县财政局", "县财政局", ECONOMIC_GROUP),
    ("县自然资源局", "县自然资源局", ECONOMIC_GROUP),
    ("县交通运输局", "县交通运输局", ECONOMIC_GROUP),
    ("县水利局", "县水利局", ECONOMIC_GROUP),
    ("县商务局", "县商务局", ECONOMIC_GROUP),
    ("县文化旅游广电局", "县文旅局", ECONOMIC_GROUP),
    ("县市场监督管理局", "县市场监管局", ECONOMIC_GROUP),
    ("县统计局", "县统计局", ECONOMIC_GROUP),
    ("县林业局", "县林业局", ECONOMIC_GROUP),
    ("县投资促进局", "县投促局", ECONOMIC_GROUP),
    ("县城市管理局", "县城管局", ECONOMIC_GROUP),
    ("市生态环境局县分局", "县生态环境分局", ECONOMIC_GROUP),
    ("县乡村振兴局", "县乡村振兴局", ECONOMIC_GROUP),
    ("县教育局", "县教育局", SOCIAL_GROUP),
    ("县卫生健康局", "县卫健局", SOCIAL_GROUP),
    ("县民政局", "县民政局", SOCIAL_GROUP),
    ("县人力资源和社会保障局", "县人社局", SOCIAL_GROUP),
    ("县公安局", "县公安局", SOCIAL_GROUP),
    ("县司法局", "县司法局", SOCIAL_GROUP),
    ("县应急管理局", "县应急管理局", SOCIAL_GROUP),
    ("县退役军人事务局", "县退役军人局", SOCIAL_GROUP),
    ("县医疗保障局", "县医保局", SOCIAL_GROUP),
    ("县信访局", "县信访局", SOCIAL_GROUP),
    ("县审计局", "县审计局", SOCIAL_GROUP),
    ("县体育发展中心", "县体育中心", SOCIAL_GROUP),
    ("县委办公室", "县委办", PARTY_GROUP),
    ("县人民政府办公室", "县政府办", PARTY_GROUP),
    ("县委组织部", "县委组织部", PARTY_GROUP),
    ("县委宣传部", "县委宣传部", PARTY_GROUP),
    ("县委统战部", "县委统战部", PARTY_GROUP),
    ("县纪委监委", "县纪委监委", PARTY_GROUP),
    ("县委机构编制委员会办公室", "县委编办", PARTY_GROUP),
    ("县总工会", "县总工会", PARTY_GROUP),
    ("共青团县委", "团县委", PARTY_GROUP),
    ("县妇女联合会", "县妇联", PARTY_GROUP),
    ("县科学技术协会", "县科协", PARTY_GROUP),
    ("县工商业联合会", "县工商联", PARTY_GROUP),
    ("县委党校", "县委党校", PARTY_GROUP),
]

PARKS = [
    ("县经济技术开发区", "经开区"),
    ("县高新技术产业园区", "高新园"),
    ("县现代农业产业园", "农业园"),
    ("县物流产业园", "物流园"),
]

# username, role, full name, title, unit name (None: a county-level account without a unit)
DEMO_ACCOUNTS = [
    ("reporter", Role.REPORTER, "李晓梅", "党政办干事", TOWNSHIPS[0]),
    ("unithead", Role.UNIT_HEAD, "王建国", "镇长", TOWNSHIPS[0]),
    ("reviewer", Role.REVIEWER, "张海涛", "项目股股长", DEPARTMENTS[0][0]),
    ("office", Role.OFFICE, "陈静", "县委督查室主任", "县委办公室"),
    # A second 考核办 account: what one office user enters (加减分, 一票否决), another approves.
    ("office2", Role.OFFICE, "孙丽", "县委督查室副主任", "县委办公室"),
    ("leader", Role.LEADER, "刘志远", "县委副书记", None),
    # The other 县领导 who 分包 key projects and pilot villages (campaigns/demo_registers.py).
    ("leader2", Role.LEADER, "周振华", "县委副书记、县长", None),
    ("leader3", Role.LEADER, "吴海峰", "县委常委、常务副县长", None),
    ("leader4", Role.LEADER, "郑丽萍", "副县长", None),
    ("leader5", Role.LEADER, "黄建军", "副县长", None),
    ("leader6", Role.LEADER, "马文斌", "副县长", None),
    ("sysadmin", Role.ADMIN, "赵磊", "信息中心工程师", None),
]

# The demo leader's 联系单位 (its dashboard's "mine"): the first townships, set once.
LEADER_CONTACT_UNITS = TOWNSHIPS[:3]
# The other leaders' 联系单位: a share of the townships each, and a park (by PARKS index).
OTHER_LEADER_CONTACTS = {
    "leader2": (TOWNSHIPS[3:6], 0),
    "leader3": (TOWNSHIPS[6:9], 1),
    "leader4": (TOWNSHIPS[9:12], 2),
    "leader5": (TOWNSHIPS[12:15], 3),
    "leader6": (TOWNSHIPS[15:18], None),
}


@dataclass
class County:
    groups: dict[str, RankingGroup] = field(default_factory=dict)
    units: list[Unit] = field(default_factory=list)

    def units_named(self, name: str) -> Unit:
        return next(unit for unit in self.units if unit.name == name)


def upsert(model, *, lookup: dict, values: dict):
    """get_or_create that saves an existing row only when a value differs.

    A re-run of the demo then writes nothing, so the change history stays meaningful.
    """
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not created and changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    return obj, created


def _numbered(names: list[str], count: int, pattern: str) -> list[str]:
    """The first `count` names, continued as pattern.format(n) when the list runs out."""
    return [names[i] if i < len(names) else pattern.format(i + 1) for i in range(count)]


@transaction.atomic
def build_county(*, townships: int = 18, departments: int = 40, parks: int = 3) -> County:
    """Create or update the ranking groups and units of a county of the given size."""
    county = County()
    for order, name in enumerate(GROUP_NAMES, start=1):
        county.groups[name], _ = upsert(
            RankingGroup, lookup={"name": name}, values={"sort_order": order}
        )

    specs = []  # (name, short name, kind, group name)
    for name in _numbered(TOWNSHIPS, townships, "第{}乡"):
        specs.append((name, name, Unit.Kind.TOWNSHIP, TOWNSHIP_GROUP))
    extra_groups = [ECONOMIC_GROUP, SOCIAL_GROUP, PARTY_GROUP]
    for i in range(departments):
        if i < len(DEPARTMENTS):
            specs.append((*DEPARTMENTS[i][:2], Unit.Kind.DEPARTMENT, DEPARTMENTS[i][2]))
        else:
            name = f"县第{i + 1}局"
            specs.append((name, name, Unit.Kind.DEPARTMENT, extra_groups[i % 3]))
    for i in range(parks):
        name, short = PARKS[i] if i < len(PARKS) else (f"县第{i + 1}产业园", f"第{i + 1}园")
        specs.append((name, short, Unit.Kind.PARK, PARK_GROUP))

    # One read and one insert (with its history rows) for the whole county: every test and
    # benchmark builds one, and a unit per round trip was most of a small test's set-up.
    existing = Unit.objects.in_bulk([spec[0] for spec in specs], field_name="name")
    new = []
    for order, (name, short, kind, group) in enumerate(specs, start=1):
        values = {
            "short_name": short,
            "kind": kind,
            "group": county.groups[group],
            "sort_order": order * 10,
        }
        unit = existing.get(name)
        if unit is None:
            unit = Unit(name=name, **values)
            new.append(unit)
        else:
            changed = [field for field, value in values.items() if getattr(unit, field) != value]
            if changed:
                for field in changed:
                    setattr(unit, field, values[field])
                unit.save(update_fields=changed)
        county.units.append(unit)
    if new:
        bulk_create_with_history(new, Unit)
    return county


@dataclass
class DemoAccount:
    username: str
    role: Role
    full_name: str
    unit: Unit | None
    password: str | None  # None when the account existed and its password was kept


def new_password(length: int = 12) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


@transaction.atomic
def build_role_accounts(
    *,
    password: str | None = None,
    reset_passwords: bool = False,
    must_change_password: bool = False,
) -> list[DemoAccount]:
    """One account per role (two for the office, for its four-eyes approvals). New accounts
    (or all, with reset) get `password` or a random one, and with `must_change_password`
    (seed_demo's default) must change it at their first sign-in."""
    accounts = []
    for username, role, full_name, title, unit_name in DEMO_ACCOUNTS:
        unit = Unit.objects.filter(name=unit_name).first() if unit_name else None
        user, created = upsert(
            User,
            lookup={"username": username},
            values={"full_name": full_name, "title": title, "unit": unit, "is_active": True},
        )
        user.groups.add(Group.objects.get(name=role.group_name))
        if role == Role.LEADER and not user.contact_units.exists():
            user.contact_units.set(Unit.objects.filter(name__in=_contact_units(username)))
        chosen = None
        if created or reset_passwords:
            chosen = password or new_password()
            user.set_password(chosen)
            user.must_change_password = must_change_password
            user.save(update_fields=["password", "must_change_password"])
        accounts.append(DemoAccount(username, role, full_name, unit, chosen))
    return accounts


def _contact_units(username: str) -> list[str]:
    """The names of a demo leader's 联系单位."""
    if username not in OTHER_LEADER_CONTACTS:
        return list(LEADER_CONTACT_UNITS)
    townships, park = OTHER_LEADER_CONTACTS[username]
    return list(townships) + ([PARKS[park][0]] if park is not None else [])
