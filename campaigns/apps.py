"""App config for campaigns: years, indicators, targets, periods, ledgers and registers."""

from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "会战与实帐"
