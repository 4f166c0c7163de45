"""The unit's weekly register reports inside its ledger (issue 13): key-project and
pilot-village reports, signings. Every save re-derives the ledger's derived entries."""

from .common import rederive, report_editable
from .opening import open_register_reports, registers_back_to_pending
from .projects import save_project_report
from .signed import add_signed_project, delete_signed_project, update_signed_project
from .villages import save_village_report

__all__ = [
    "add_signed_project",
    "delete_signed_project",
    "open_register_reports",
    "rederive",
    "registers_back_to_pending",
    "report_editable",
    "save_project_report",
    "save_village_report",
    "update_signed_project",
]
