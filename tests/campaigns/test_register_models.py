"""The registers' own row rules, as the admin and the import meet them: Chinese messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import KeyProject, VillageTask
from tests.campaigns.register_builders import build_register_year

pytestmark = pytest.mark.django_db


def _messages(row) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    return [m for messages in refused.value.message_dict.values() for m in messages]


def test_a_project_name_twice_in_a_year_is_refused_in_chinese():
    registers = build_register_year()
    twin = KeyProject(
        year=registers.small.year,
        campaign=registers.food_park.campaign,
        name=registers.food_park.name,
        unit=registers.other_township,
        category=KeyProject.Category.INDUSTRY,
        total_investment=Decimal("100"),
        annual_plan=Decimal("200"),
    )
    messages = _messages(twin)
    assert "本年度已有同名的重点项目。" in messages
    assert "年度计划投资不能超过项目总投资。" in messages
    assert KeyProject.objects.filter(name=registers.food_park.name).count() == 1


def test_a_task_completion_outside_0_to_100_is_refused_in_chinese():
    registers = build_register_year()
    task = registers.tasks[0]
    task.completion = Decimal("120")
    assert any("100" in m for m in _messages(task))
    task.refresh_from_db()
    assert task.completion == 0
    assert VillageTask.objects.filter(completion__gt=100).count() == 0
