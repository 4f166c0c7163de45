"""A small year with a follow-up ready to send: the 发改委 reviewer tasks 城关镇 about
固定资产投资完成额 (a target of 12亿元), on Tuesday 2 June 2026 10:00, due Friday 12 June."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.roles import Role
from campaigns.services import follow_ups
from tests.campaigns.builders import SmallYear, build_small_year
from tests.helpers import make_user

NOW = timezone.make_aware(datetime(2026, 6, 2, 10, 0))
DUE = date(2026, 6, 12)


def jpeg(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "JPEG")
    return out.getvalue()


def photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


@dataclass
class Setting:
    small: SmallYear
    office: object  # 考核办, sitting in 县住建局

    @property
    def reviewer(self):
        return self.small.reviewer

    @property
    def reporter(self):
        return self.small.reporter

    @property
    def unit(self):
        return self.small.reporter.unit

    def fields(self, **changes) -> dict:
        return {
            "year": self.small.year,
            "unit": self.unit,
            "indicator": self.small.investment,
            "title": "固定资产投资进度滞后",
            "problem": "截至第22周核实累计3亿元，完成年度目标的25%。",
            "requirement": "查找原因，制定整改措施，按时反馈。",
            "due_on": DUE,
            "user": self.reviewer,
            "now": NOW,
        } | changes

    def issue(self, **changes):
        return follow_ups.create_and_issue(**self.fields(**changes))


def build_setting() -> Setting:
    small = build_small_year(year=2026)
    office = make_user("office_a", Role.OFFICE, unit=small.county.units_named("县住房和城乡建设局"))
    return Setting(small=small, office=office)
