"""用好帐: the comparison view (前后比 / 左右比) and the weak items, each with its Excel export."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.permissions import acts_as_office, role_required, user_acts_as
from accounts.roles import Role
from accounts.selectors import ranking_groups_visible_to
from jiaozhang.ids import id_param

from ..analysis_data import analysis_scope
from ..comparisons import comparison_visible_to
from ..selectors import campaigns_visible_to, chosen_year
from ..weak_items import weak_items_page

WHO = (Role.REVIEWER, Role.OFFICE, Role.LEADER, Role.REPORTER, Role.UNIT_HEAD)
PAGE_SIZE = 100


def _filters(request, *names) -> dict:
    return {f"{name}_id" if name != "week" else name: id_param(request.GET, name) for name in names}


def _export_url(identifier: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{reverse('results-export', args=[identifier])}?{query}"


def _follow_up_url() -> str | None:
    """Engineer A's 交办 page, once its URL exists."""
    try:
        return reverse("follow-up-new")
    except NoReverseMatch:
        return None


@role_required(*WHO)
def comparison(request):
    user = request.user
    year = chosen_year(user, id_param(request.GET, "year"))
    if year is None:
        return render(request, "campaigns/no_period.html", {"year": None})
    filters = _filters(request, "campaign", "group", "week", "indicator", "unit")
    page = comparison_visible_to(user, year, today=timezone.localdate(), **filters)
    if page is None:
        raise PermissionDenied("此页面仅供审核员、考核办、县领导和单位人员使用。")
    params = {"year_id": year.pk, **{f"{k}": v for k, v in page.filters.items()}}
    return render(
        request,
        "campaigns/analysis/comparison.html",
        {
            "page": page,
            "groups": ranking_groups_visible_to(user),
            "export_url": _export_url(
                "comparison_xlsx", {**params, **analysis_scope(user).as_params()}
            ),
            "chart_data": page.chart,
            # the table's links keep the year, campaign, group and week and choose the rest
            "base_query": urlencode(
                {k: v for k, v in params.items() if v and k not in ("indicator", "unit")}
            ),
        },
    )


@role_required(*WHO)
def weak_items(request):
    user = request.user
    year = chosen_year(user, id_param(request.GET, "year"))
    if year is None:
        return render(request, "campaigns/no_period.html", {"year": None})
    filters = _filters(request, "campaign", "group", "week")
    page = weak_items_page(user, year, today=timezone.localdate(), **filters)
    if page is None:
        raise PermissionDenied("此页面仅供审核员、考核办、县领导和单位人员使用。")
    rows = Paginator(page.items, PAGE_SIZE).get_page(request.GET.get("page"))
    paging = request.GET.copy()
    paging.pop("page", None)
    return render(
        request,
        "campaigns/analysis/weak_items.html",
        {
            "page": page,
            "rows": rows,
            "below_half_count": sum(1 for item in page.items if item.below_half),
            "groups": ranking_groups_visible_to(user),
            "campaigns": campaigns_visible_to(user).filter(year=year).order_by("sort_order"),
            "filters": filters,
            "querystring": paging.urlencode(),
            "follow_up_url": _follow_up_url(),
            # 交办 is the lead department's and the office's; leaders read
            "may_issue": acts_as_office(user) or user_acts_as(user, Role.REVIEWER),
            "export_url": _export_url(
                "weak_items_xlsx",
                {
                    "year_id": year.pk,
                    "week": page.week,
                    "campaign": filters["campaign_id"],
                    "group": filters["group_id"],
                    **analysis_scope(user).as_params(),
                },
            ),
        },
    )
