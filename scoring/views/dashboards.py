"""The dashboards: the leaders' (leaders and the office) and the office's own."""

from django.shortcuts import render

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role

from ..dashboards import leader_dashboard, office_dashboard


@role_required(Role.LEADER, Role.OFFICE)
def leader(request):
    return render(
        request,
        "scoring/dashboards/leader.html",
        {"board": leader_dashboard(request.user), "is_office": acts_as_office(request.user)},
    )


@role_required(Role.OFFICE)
def office(request):
    return render(
        request, "scoring/dashboards/office.html", {"board": office_dashboard(request.user)}
    )
