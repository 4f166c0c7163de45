"""The quarter's pages: list, ranking per group, compute / review / publish, a unit's score."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from campaigns.selectors import current_year

from ..errors import NeedsConfirmation, ScoringError
from ..models import QuarterlyEvaluation
from ..selectors import evaluations_visible_to, scorecards_visible_to, unit_scores_visible_to
from ..services.evaluations import (
    compute_quarter,
    open_evaluation,
    publish_quarter,
    review_quarter,
)


@login_required
def evaluation_list(request):
    evaluations = evaluations_visible_to(request.user).order_by("-year__year", "-quarter")
    year = current_year()
    return render(
        request,
        "scoring/evaluation_list.html",
        {"evaluations": evaluations, "year": year, "quarters": [1, 2, 3, 4]},
    )


@require_POST
@role_required(Role.OFFICE)
def evaluation_open(request):
    year = current_year()
    quarter = request.POST.get("quarter", "")
    if year is None or not quarter.isdigit():
        messages.error(request, "请先设置进行中的考核年度并选择季度。")
        return redirect("evaluation-list")
    try:
        evaluation = open_evaluation(year=year, quarter=int(quarter))
    except ScoringError as error:
        messages.error(request, error.messages[0])
        return redirect("evaluation-list")
    return redirect("evaluation-detail", evaluation.pk)


@login_required
def evaluation_detail(request, evaluation_id):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    scores = unit_scores_visible_to(request.user).filter(version=evaluation.current_version_id)
    scores = scores.order_by("group__sort_order", "group_id", "position", "sort_order")
    groups = [(group, list(rows)) for group, rows in groupby(scores, key=lambda s: s.group)]
    return render(
        request,
        "scoring/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "groups": groups,
            "versions": evaluation.versions.select_related("computed_by").order_by("-number")
            if request.user.has_role(Role.OFFICE)
            else [],
            "is_office": request.user.has_role(Role.OFFICE),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def evaluation_action(request, evaluation_id, action):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    try:
        if action == "compute":
            version = compute_quarter(
                evaluation=evaluation,
                user=request.user,
                reason=request.POST.get("reason", ""),
                confirm_open_periods=request.POST.get("confirm") == "1",
            )
            messages.success(request, f"已计算，生成第{version.number}版结果。")
        elif action == "review":
            review_quarter(evaluation=evaluation, user=request.user)
            messages.success(request, "已审定，可以发布。")
        elif action == "publish":
            publish_quarter(
                evaluation=evaluation, user=request.user,
                document_number=request.POST.get("document_number", ""),
            )  # fmt: skip
            messages.success(request, "已发布，结果写入各单位绩误档案并通知各单位。")
        else:
            raise Http404()
    except NeedsConfirmation as question:
        return render(
            request,
            "scoring/confirm_compute.html",
            {"evaluation": evaluation, "question": question.messages[0],
             "reason": request.POST.get("reason", "")},
        )  # fmt: skip
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("evaluation-detail", evaluation.pk)


@login_required
def unit_score(request, evaluation_id, unit_id):
    """Explain: every indicator's T, A (and the reported figure), r, rule and points."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    score = get_object_or_404(
        scorecards_visible_to(request.user), version=evaluation.current_version_id, unit_id=unit_id
    )
    items = score.indicator_scores.select_related(
        "indicator", "indicator__campaign", "entry__ledger__period"
    ).order_by("indicator__campaign__sort_order", "indicator__sort_order")
    return render(
        request,
        "scoring/unit_score.html",
        {
            "evaluation": evaluation,
            "score": score,
            "items": items,
            "rules": evaluation.current_version.rules,
            "status": QuarterlyEvaluation.Status,
        },
    )
