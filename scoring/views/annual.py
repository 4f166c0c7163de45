"""The year's page: annual score, rank and grade per group; compute / review / publish.

Who sees what mirrors the quarter (scoring.selectors): the office everything at any time;
a unit's people their own row as soon as it is computed (to check their figures before
publication, as in a quarter's appeal window) and their group's ranking once published;
leaders and reviewers the whole table once published.
"""

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from campaigns.models import AssessmentYear

from ..errors import ScoringError
from ..models import AnnualEvaluation
from ..selectors import (
    annual_group_sizes,
    annual_results_visible_to,
    annual_year_visible_to,
    published_quarters,
)
from ..services.annual import compute_year, publish_year, review_year

Status = AnnualEvaluation.Status


_office = acts_as_office


def _year_for(user, year_id) -> tuple[AssessmentYear, AnnualEvaluation | None]:
    found = annual_year_visible_to(user, year_id)
    if found is None:
        raise Http404("没有该年度的实绩评定。")
    return found


@login_required
def annual_evaluation(request, year_id):
    year, annual = _year_for(request.user, year_id)
    groups = []
    if annual is not None:
        results = annual_results_visible_to(request.user).filter(evaluation=annual)
        results = results.order_by("group__sort_order", "group_id", "position", "sort_order")
        sizes = annual_group_sizes(annual)
        groups = [
            (group, list(rows), sizes.get(group.pk, 0))
            for group, rows in groupby(results, key=lambda r: r.group)
        ]
        for _, rows, _ in groups:
            for row in rows:
                row.weighted = None if row.score is None else row.score - row.file_points
    published = published_quarters(request.user, year)
    is_office = _office(request.user)
    return render(
        request,
        "scoring/annual.html",
        {
            "year": year,
            "annual": annual,
            "groups": groups,
            "is_office": is_office,
            "quarters": [(q, q in published) for q in (1, 2, 3, 4)],
            "default_document_number": settings.ANNUAL_NOTICE_NUMBER.format(year=year.year),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def annual_action(request, year_id, action):
    year, _ = _year_for(request.user, year_id)
    try:
        if action == "compute":
            compute_year(year=year, user=request.user)
            messages.success(request, "已计算年度实绩评定。")
        elif action == "review":
            review_year(year=year, user=request.user)
            messages.success(request, "已审定，可以发布。")
        elif action == "publish":
            publish_year(
                year=year,
                user=request.user,
                document_number=request.POST.get("document_number", ""),
            )
            messages.success(request, "已发布，已通知各单位和县领导。")
        else:
            raise Http404()
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("annual-evaluation", year.pk)
