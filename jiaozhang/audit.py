"""The audited models, and the check that each row's newest history record is the row itself.

Every change to an audited model must leave a history row with who, when and why (issue 14):
a service saves through `campaigns.history.saved_with_history`, bulk writes go through
simple-history's `bulk_create_with_history` / `bulk_update_with_history`. A queryset `update()`
or a plain `bulk_create` / `bulk_update` writes no history row; `history_gaps` finds the rows
such a write left behind, so a test can walk every audited table after a representative run.
"""

from django.apps import apps
from django.db import connection

# Labels, not imports: jiaozhang sits beside the apps and must not pull their models in early.
AUDITED_MODELS = (
    "accounts.RankingGroup",
    "accounts.Unit",
    "accounts.User",
    # the year's set-up
    "campaigns.AssessmentYear",
    "campaigns.Indicator",
    "campaigns.Target",
    "campaigns.Milestone",
    "campaigns.Holiday",
    "campaigns.Period",
    # the weekly ledgers
    "campaigns.WeeklyLedger",
    "campaigns.LedgerEntry",
    # the registers (issue 13)
    "campaigns.KeyProject",
    "campaigns.ProjectReport",
    "campaigns.SignedProject",
    "campaigns.PilotVillage",
    "campaigns.VillageTask",
    "campaigns.VillageReport",
    "campaigns.VillageTaskProgress",
    # 督查督办
    "campaigns.FollowUp",
    "campaigns.Extension",
    # scoring: rules, adjustments, vetoes, evaluations, the 绩误档案, appeals, the 周通报
    "scoring.ScoringRules",
    "scoring.Adjustment",
    "scoring.Veto",
    "scoring.QuarterlyEvaluation",
    "scoring.SkippedQuarter",
    "scoring.AnnualEvaluation",
    "scoring.FileEntry",
    "scoring.Appeal",
    "scoring.WeeklyBriefing",
)


def audited_models():
    return [apps.get_model(label) for label in AUDITED_MODELS]


WHY = {None: "no history", "-": "newest history is a deletion"}


def history_gaps(model, *, limit: int = 20) -> list[str]:
    """What in `model`'s table its history does not account for, as "label pk: why" lines.

    A row is accounted for when its newest history record (the last written, by history_id,
    so a test travelling in time cannot reorder it) is not a deletion and equals the row on
    every tracked field; a row that is gone must have a deletion ('-') as its newest record.
    """
    history = model.history.model
    table, h_table = model._meta.db_table, history._meta.db_table
    pk = model._meta.pk.column
    columns = [model._meta.get_field(f.name).column for f in history.tracked_fields]
    row = ", ".join(f't."{c}"' for c in columns)
    recorded = ", ".join(f'h."{c}"' for c in columns)
    newest = f'SELECT MAX(history_id) FROM "{h_table}" WHERE "{pk}" = {{}}."{pk}"'
    changed = (
        f'SELECT t."{pk}", h.history_type FROM "{table}" t '
        f'LEFT JOIN "{h_table}" h ON h.history_id = ({newest.format("t")}) '
        f"WHERE h.history_id IS NULL OR h.history_type = '-' "
        f"OR ({row}) IS DISTINCT FROM ({recorded}) "
        f'ORDER BY t."{pk}" LIMIT %s'
    )
    deleted = (
        f'SELECT h."{pk}" FROM "{h_table}" h '
        f"WHERE h.history_id = ({newest.format('h')}) AND h.history_type <> '-' "
        f'AND NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t."{pk}" = h."{pk}") '
        f'ORDER BY h."{pk}" LIMIT %s'
    )
    label = model._meta.label
    with connection.cursor() as cursor:
        cursor.execute(changed, [limit])
        gaps = [f"{label} {key}: {WHY.get(kind, 'changed, no history')}" for key, kind in cursor]
        cursor.execute(deleted, [limit])
        gaps += [f"{label} {key}: deleted, no history" for (key,) in cursor]
    return gaps


def all_history_gaps(*, limit: int = 20) -> list[str]:
    return [gap for model in audited_models() for gap in history_gaps(model, limit=limit)]
