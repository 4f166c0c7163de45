"""manage.py seed_demo: build (or refresh) the demo county and one account per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import build_county, build_role_accounts


class Command(BaseCommand):
    help = "建立示范县演示数据（单位、考核组别、各角色账号）；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也运行（慎用）")
        parser.add_argument("--password", help="新账号使用此密码（默认随机生成）")
        parser.add_argument("--reset-passwords", action="store_true", help="重置演示账号密码")

    def handle(self, *args, force=False, password=None, reset_passwords=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭（疑似生产环境），拒绝写入演示数据；确需运行请加 --force。"
            )
        county = build_county()
        accounts = build_role_accounts(password=password, reset_passwords=reset_passwords)
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
