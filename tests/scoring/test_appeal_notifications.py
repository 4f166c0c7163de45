"""Appeals notify from their services, whoever calls them (a page, the admin, the shell).

The quarter is test_whatif's (`computed_quarter`); C(白沙镇) appeals its 1.5 on 固定资产投资完成额,
filed by its head. No HTTP here: the services alone must tell the office and the unit.
"""

import pytest

from accounts.models import Notification
from accounts.roles import Role
from scoring.errors import ScoringError
from scoring.services.appeals import decide_appeal, file_appeal
from tests.helpers import make_user
from tests.scoring.test_whatif import computed_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def quarter(db):
    quarter = computed_quarter()
    quarter.head_c = make_user("head-c", Role.UNIT_HEAD, unit=quarter.c)
    quarter.second_head_c = make_user("head-c2", Role.UNIT_HEAD, unit=quarter.c)
    quarter.reporter_c = make_user("rep-c", Role.REPORTER, unit=quarter.c)
    return quarter


def filed(quarter):
    return file_appeal(
        evaluation=quarter.evaluation,
        indicator=quarter.small.investment,
        user=quarter.head_c,
        claim="发票为证",
        claimed_value="2.4",
    )


def notices(kind="appeal"):
    return {(n.recipient.username, n.title) for n in Notification.objects.filter(kind=kind)}


def test_filing_through_the_service_notifies_the_office(quarter):
    filed(quarter)
    assert notices() == {(quarter.small.office.username, "白沙镇对「固定资产投资完成额」提出申诉")}


def test_a_rejection_through_the_service_notifies_the_units_heads(quarter):
    appeal = filed(quarter)
    Notification.objects.all().delete()
    version = decide_appeal(
        appeal=appeal, user=quarter.small.office, uphold=False, decision=" 发票日期在季度之后 "
    )
    assert version is None
    title = "您单位白沙镇关于「固定资产投资完成额」的申诉已驳回"
    assert notices() == {("head-c", title), ("head-c2", title)}  # the reporter is not told
    assert {n.body for n in Notification.objects.all()} == {"处理意见：发票日期在季度之后"}


def test_upholding_through_the_service_names_the_new_version(quarter):
    appeal = filed(quarter)
    Notification.objects.all().delete()
    version = decide_appeal(
        appeal=appeal,
        user=quarter.small.office,
        uphold=True,
        decision="发票属实",
        corrected_value="2.4",
    )
    assert version.number == 2
    title = "您单位白沙镇关于「固定资产投资完成额」的申诉已采纳，已重新计算为第2版"
    assert notices() == {("head-c", title), ("head-c2", title)}


def test_a_refused_decision_tells_no_one(quarter):
    appeal = filed(quarter)
    Notification.objects.all().delete()
    with pytest.raises(ScoringError):
        decide_appeal(appeal=appeal, user=quarter.small.office, uphold=True, decision="发票属实")
    assert not Notification.objects.exists()
