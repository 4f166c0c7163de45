"""URLs of the registers, mounted under /registers/: one list per page module."""

from campaigns.views.registers import contracted, pages, reporting, review

urlpatterns = [
    *pages.urlpatterns,  # lists, rows, Excel import/export (重点项目库 / 招商签约库 / 试点村库)
    *reporting.urlpatterns,  # the unit's weekly reports inside its ledger
    *review.urlpatterns,  # the lead department's verification of register reports
    *contracted.urlpatterns,  # a county leader's 分包 view and on-site checks of rows
]
