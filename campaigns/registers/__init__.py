"""The campaign registers (issue 13): scope, derivation and the read models of their pages.

Models: campaigns.register_models. Writes: campaigns.services.registers. Pages:
campaigns.views.registers. See docs/architecture.md for how a register feeds the ledger.
"""
