"""manage.py seed_demo: build (or refresh) the demo county, one account per role and its year.

Here in campaigns, the app that builds the whole demo (campaigns.demo, on accounts.demo), so
no app imports one above it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...demo import SCALES, build_demo


class Command(BaseCommand):
    help = (
        "建立示范县演示数据（单位、考核组别、各角色账号、考核年度与历周实帐，"
        "已结束季度的考评结果）；可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也运行（慎用）")
        parser.add_argument("--password", help="新账号使用此密码（默认随机生成）")
        parser.add_argument("--reset-passwords", action="store_true", help="重置演示账号密码")
        parser.add_argument(
            "--no-password-change",
            action="store_true",
            help="演示账号首次登录不强制修改密码（基准测试、压力测试用）",
        )
        parser.add_argument(
            "--weeks",
            type=int,
            default=0,
            help="生成最近多少周的周帐（默认 0：本年度已过去的每一周，本周留给填报员）",
        )
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            help="按基准规模建立：county 约 90 个单位，city 约 900 个单位（默认示范县 61 个）",
        )
        parser.add_argument(
            "--no-results",
            action="store_true",
            help="不计算、不发布季度考评（默认：已结束且周帐齐全的季度按顺序计算、审定并发布）",
        )

    def handle(
        self,
        *args,
        force=False,
        password=None,
        reset_passwords=False,
        weeks=0,
        no_results=False,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭（疑似生产环境），拒绝写入演示数据；确需运行请加 --force。"
            )
        # Every week that is over by default: a shorter history would show the earlier weeks
        # of the year as missing in the completeness matrix.
        demo = build_demo(
            **SCALES.get(options.get("scale"), {}),
            password=password,
            reset_passwords=reset_passwords,
            must_change_password=not options.get("no_password_change", False),
            weeks=weeks or None,
            results=not no_results,
        )
        county, accounts, year = demo.county, demo.accounts, demo.year
        self.stdout.write(
            f"示范县已就绪：{len(county.groups)} 个考核组别，{len(county.units)} 个单位。"
        )
        self.stdout.write("演示账号（密码只显示这一次）：")
        for account in accounts:
            shown = account.password or "（账号已存在，密码未改动；--reset-passwords 可重置）"
            unit = account.unit.name if account.unit else "—"
            self.stdout.write(
                f"  {account.role.label:<8} 用户名 {account.username:<10} "
                f"密码 {shown}  {account.full_name} · {unit}"
            )
        weeks_text = f"第{year.weeks[0]}–{year.weeks[1]}周" if year.weeks else "尚无已结束的周"
        self.stdout.write(
            f"{year.year}：{len(year.campaigns)} 个会战，{year.indicators} 项指标，"
            f"{year.targets} 项目标任务（新建 {year.targets_created}）；"
            f"周帐 {year.ledgers} 份（新建 {year.ledgers_created}，{weeks_text}），"
            f"实帐条目 {year.entries} 条（新建 {year.entries_created}）。"
        )
        if year.registers:
            self.stdout.write(year.registers)
        self.stdout.write(
            "各牵头部门审核员："
            + "、".join(f"{unit} {username}" for unit, username in year.reviewers.items())
        )
        self.stdout.write("其余单位的填报账号为 r-<单位编号>（无密码，仅作历史周帐的提交人）。")
        # What the apps above campaigns added (scoring: the quarters it published).
        for line in demo.results:
            self.stdout.write(line)
