"""The six roles of DESIGN §2 as Django groups, and the permissions each role holds."""

from django.db import models


class Role(models.TextChoices):
    # The label is the group's name in the database, so the admin shows it in Chinese.
    REPORTER = "reporter", "填报员"
    UNIT_HEAD = "unit_head", "单位负责人"
    REVIEWER = "reviewer", "牵头部门审核员"
    OFFICE = "office", "考核办"
    LEADER = "leader", "县领导"
    ADMIN = "admin", "系统管理员"

    @classmethod
    def from_group_name(cls, name: str) -> "Role | None":
        return _BY_GROUP_NAME.get(name)

    @property
    def group_name(self) -> str:
        return str(self.label)


_BY_GROUP_NAME = {str(role.label): role for role in Role}

# Roles that work in the Django admin (DESIGN §2: the office "mostly in the Django admin").
ADMIN_SITE_ROLES = frozenset({Role.OFFICE, Role.ADMIN})

# Roles that see every unit (not just their own): DESIGN §2, "Data a unit may see".
COUNTY_WIDE_ROLES = frozenset({Role.REVIEWER, Role.OFFICE, Role.LEADER, Role.ADMIN})

_MANAGE_UNITS = [
    "accounts.view_rankinggroup",
    "accounts.add_rankinggroup",
    "accounts.change_rankinggroup",
    "accounts.view_unit",
    "accounts.add_unit",
    "accounts.change_unit",
    "accounts.view_historicalrankinggroup",
    "accounts.view_historicalunit",
]

# Accounts, passwords, roles and lockouts are the system administrator's alone (issue 9): an
# office that could make accounts could make its own second 考核办 and defeat the four-eyes rule.
_MANAGE_ACCOUNTS = [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_historicaluser",
    "accounts.view_rolechange",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accessfailurelog",
]

# Permission codenames per role ("app_label.codename"). Later issues extend these lists;
# sync_role_permissions makes the database match them after every migrate.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.REPORTER: [],
    Role.UNIT_HEAD: [],
    Role.REVIEWER: [],
    # The office manages the year in the admin (DESIGN §2); deleting is left to the admin.
    Role.OFFICE: [
        *_MANAGE_UNITS,
        # The reminder schedule (django-celery-beat) is the office's to edit.
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
        "campaigns.view_assessmentyear",
        "campaigns.add_assessmentyear",
        "campaigns.change_assessmentyear",
        "campaigns.view_campaign",
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.view_indicator",
        "campaigns.add_indicator",
        "campaigns.change_indicator",
        "campaigns.view_target",
        "campaigns.add_target",
        "campaigns.change_target",
        "campaigns.view_milestone",
        "campaigns.add_milestone",
        "campaigns.change_milestone",
        "campaigns.view_period",
        # A deadline changes only on the period's 修改截止时间 page, with a reason (issue 9).
        "campaigns.change_period",
        "campaigns.view_historicalperiod",
        # The working calendar (节假日与调休) is the office's to keep.
        "campaigns.view_holiday",
        "campaigns.add_holiday",
        "campaigns.change_holiday",
        "campaigns.delete_holiday",
        "campaigns.view_historicalholiday",
        "campaigns.view_historicalassessmentyear",
        "campaigns.view_historicalindicator",
        "campaigns.view_historicaltarget",
        "campaigns.view_historicalmilestone",
        "campaigns.view_ledgerreopening",
        "campaigns.view_reminderlog",
        # 交办单: read in the admin; every step is taken on the follow-up's page (services).
        "campaigns.view_followup",
        "campaigns.view_historicalfollowup",
        "campaigns.view_followupevent",
        "campaigns.view_extension",
        "campaigns.view_historicalextension",
        # Registers (issue 13): the office keeps the project and village lists; reports and
        # signings are written by the reporting and review services and only read here.
        "campaigns.view_keyproject",
        "campaigns.add_keyproject",
        "campaigns.change_keyproject",
        "campaigns.view_historicalkeyproject",
        "campaigns.view_pilotvillage",
        "campaigns.add_pilotvillage",
        "campaigns.change_pilotvillage",
        "campaigns.view_historicalpilotvillage",
        "campaigns.view_villagetask",
        "campaigns.add_villagetask",
        "campaigns.change_villagetask",
        "campaigns.view_projectreport",
        "campaigns.view_villagereport",
        "campaigns.view_villagetaskprogress",
        "campaigns.view_signedproject",
        "campaigns.view_historicalsignedproject",
        # Scoring (DESIGN §3 scoring/): rules, adjustments, vetoes and hand file entries are
        # the office's to enter; results are written by services and only read in the admin.
        "scoring.view_scoringrules",
        "scoring.add_scoringrules",
        "scoring.change_scoringrules",
        "scoring.view_adjustment",
        "scoring.add_adjustment",
        "scoring.change_adjustment",
        "scoring.view_veto",
        "scoring.add_veto",
        "scoring.change_veto",
        "scoring.view_fileentry",
        "scoring.add_fileentry",
        "scoring.change_fileentry",
        "scoring.view_skippedquarter",
        "scoring.add_skippedquarter",
        "scoring.view_historicalskippedquarter",
        "scoring.view_quarterlyevaluation",
        "scoring.view_evaluationversion",
        "scoring.view_unitscore",
        "scoring.view_indicatorscore",
        "scoring.view_appeal",
        "scoring.view_annualevaluation",
        "scoring.view_annualresult",
        "scoring.view_historicalscoringrules",
        "scoring.view_historicaladjustment",
        "scoring.view_historicalveto",
        "scoring.view_historicalfileentry",
        "scoring.view_historicalquarterlyevaluation",
        "scoring.view_historicalappeal",
        "scoring.view_historicalannualevaluation",
        # 周通报: read in the admin; generated, edited and issued on its pages (services).
        "scoring.view_weeklybriefing",
        "scoring.view_historicalweeklybriefing",
    ],
    # Leaders read everything (DESIGN §2).
    Role.LEADER: [
        "accounts.view_rankinggroup",
        "accounts.view_unit",
        "campaigns.view_assessmentyear",
        "campaigns.view_campaign",
        "campaigns.view_indicator",
        "campaigns.view_target",
        "campaigns.view_milestone",
        "campaigns.view_period",
        "campaigns.view_historicalperiod",
        "campaigns.view_holiday",
        "campaigns.view_historicalassessmentyear",
        "campaigns.view_historicalindicator",
        "campaigns.view_historicaltarget",
        "campaigns.view_historicalmilestone",
        # Scoring results are read-only everywhere; leaders read them like everything else.
        "scoring.view_quarterlyevaluation",
        "scoring.view_evaluationversion",
        "scoring.view_unitscore",
        "scoring.view_indicatorscore",
        "scoring.view_appeal",
        "scoring.view_annualevaluation",
        "scoring.view_annualresult",
    ],
    Role.ADMIN: [
        *_MANAGE_UNITS,
        *_MANAGE_ACCOUNTS,
        "accounts.delete_rankinggroup",
        "accounts.delete_unit",
        # Groups are the roles of this file: the admin reads them; their names and permissions
        # are code (a renamed group would be no role at all), re-applied after every migrate.
        "auth.view_group",
        "axes.view_accesslog",
    ],
}


def sync_role_permissions(sender=None, using="default", **kwargs):
    """Create the role groups if missing and grant each exactly its listed permissions."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.group_name)
        # Permissions of apps not migrated yet are granted on the run that creates them.
        group.permissions.set([found[perm] for perm in perms if perm in found])
