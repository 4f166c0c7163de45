"""The error every campaigns service raises for bad input: Chinese messages, nothing changed."""

from django.core.exceptions import ValidationError


class LedgerError(ValidationError):
    """A refused operation; `messages` are shown to the user as they are."""
