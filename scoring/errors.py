"""Errors of scoring services, with Chinese messages for the office."""

from campaigns.errors import LedgerError


class ScoringError(LedgerError):
    """A refused scoring operation; nothing was changed."""


class NeedsConfirmation(ScoringError):
    """The operation is allowed but questionable; the caller must confirm to go on."""
