"""The escalation task on a real Celery worker, the clock moved by the task's parameter.

Due Fri 13 Feb 2026 (dates worked out in tests/scoring/test_escalation.py): 黄牌 on Sat 14 Feb
(调休 working day), 红牌 on Sat 28 Feb; each step sent twice, each happens once, and the file
holds one entry whose wording moves from （黄牌） to （红牌）.
"""

import os
from datetime import date

import pytest
from django.conf import settings

from campaigns.models import FollowUp, FollowUpEvent
from scoring.models import FileEntry
from scoring.tasks import escalate_follow_ups
from tests.campaigns.builders import build_small_year
from tests.scoring.test_escalation import at, issue

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL（真实 Redis）"),
]


def test_worker_gives_yellow_then_red_then_one_file_entry_each_once(worker):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    small = build_small_year(year=2026)
    follow_up = issue(small, due_on=date(2026, 2, 13), issued=at(2, 2))

    def run(month, day):
        result = escalate_follow_ups.apply_async(args=[at(month, day).isoformat()], queue=worker)
        return result.get(timeout=60)

    assert run(2, 13)["yellow"] == 0  # due day: not overdue yet
    assert FileEntry.objects.count() == 0
    assert [run(2, 14)["yellow"], run(2, 14)["yellow"]] == [1, 0]
    follow_up.refresh_from_db()
    assert follow_up.card == FollowUp.Card.YELLOW
    entry = FileEntry.objects.get()
    assert entry.description.endswith("（黄牌）")

    assert run(2, 27)["red"] == 0
    assert [run(2, 28)["red"], run(2, 28)["red"]] == [1, 0]
    follow_up.refresh_from_db()
    assert (follow_up.card, follow_up.red_card_on) == (FollowUp.Card.RED, date(2026, 2, 28))
    entry = FileEntry.objects.get()
    assert entry.description.endswith("（红牌）")
    assert entry.history.count() == 2
    cards = follow_up.events.filter(
        kind__in=[FollowUpEvent.Kind.YELLOW_CARD, FollowUpEvent.Kind.RED_CARD]
    ).values_list("kind", flat=True)
    assert list(cards) == [FollowUpEvent.Kind.YELLOW_CARD, FollowUpEvent.Kind.RED_CARD]
