"""App config for campaigns: years, indicators, targets, periods, ledgers and registers."""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "会战与实帐"

    def ready(self):
        from . import todo

        # The home pages' 待办 items of campaigns (accounts offers the registry and does not
        # import campaigns), and the ledger notices marked read once the ledger is handed in.
        todo.register_items()
