"""Evidence uploaded to scoring records (appeals, file entries, adjustments, vetoes) is checked
by content with the same checker as ledger evidence: only real images and PDFs are kept."""

from django.db.models.fields.files import FieldFile

from campaigns.errors import LedgerError
from campaigns.services.evidence import check_upload


def evidence_refusals(evidence, *, what: str = "佐证材料", limit: int | None = None) -> list[str]:
    """Chinese reasons to refuse `evidence` (an upload or None); empty when it may be kept."""
    if not evidence or isinstance(evidence, FieldFile):  # already stored (an admin change)
        return []
    try:
        check_upload(evidence, limit=limit)
    except LedgerError as error:
        return [f"{what}：{message}" for message in error.messages]
    return []
