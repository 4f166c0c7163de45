"""The quarter's pages: list, ranking per group, compute / review / publish, a unit's score."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from campaigns.selectors import current_year
from jiaozhang.ids import as_id

from ..errors import ScoringError
from ..models import QuarterlyEvaluation
from ..selectors import (
    evaluations_visible_to,
    group_sizes,
    scorecard_items,
    scorecards_visible_to,
    scored_groups,
    unit_scores_visible_to,
    versions_visible_to,
)
from ..services.compute_jobs import compute_progress, start_compute
from ..services.evaluations import (
    open_evaluation,
    publish_quarter,
    review_quarter,
)
from .group_picker import picked_group


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
    quarter = as_id(request.POST.get("quarter", ""))  # a positive number; the service checks 1–4
    if year is None or quarter is None:
        messages.error(request, "请先设置进行中的考核年度并选择季度。")
        return redirect("evaluation-list")
    try:
        evaluation = open_evaluation(year=year, quarter=quarter)
    except ScoringError as error:
        messages.error(request, error.messages[0])
        return redirect("evaluation-list")
    return redirect("evaluation-detail", evaluation.pk)


@login_required
def evaluation_detail(request, evaluation_id):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    scores = unit_scores_visible_to(request.user).filter(version=evaluation.current_version_id)
    # One ranking group a page, the viewer's own first (a city has ~900 units).
    choices = scored_groups(scores)
    own_group_id = request.user.unit.group_id if request.user.unit_id else None
    group = picked_group(request, choices, own_group_id=own_group_id)
    scores = scores.filter(group=group) if group else scores.none()
    scores = scores.order_by("group__sort_order", "group_id", "position", "sort_order")
    sizes = group_sizes(evaluation.current_version_id)
    groups = [
        (group, list(rows), sizes.get(group.pk, 0))
        for group, rows in groupby(scores, key=lambda s: s.group)
    ]
    return render(
        request,
        "scoring/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "groups": groups,
            "group_choices": choices,
            "group": group,
            "versions": versions_visible_to(request.user)
            .filter(evaluation=evaluation)
            .order_by("-number")
            if acts_as_office(request.user)
            else [],
            "is_office": acts_as_office(request.user),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def evaluation_action(request, evaluation_id, action):
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    try:
        if action == "compute":
            reason = request.POST.get("reason", "")
            task_id, outcome = start_compute(
                evaluation=evaluation,
                user=request.user,
                reason=reason,
                confirm=request.POST.get("confirm") == "1",
            )
            if task_id:
                return redirect("evaluation-compute", evaluation.pk, task_id)
            return _compute_outcome(request, evaluation, outcome, reason)
        elif action == "review":
            review_quarter(evaluation=evaluation, user=request.user)
            messages.success(request, "已审定，可以发布。")
        elif action == "publish":
            publish_quarter(
                evaluation=evaluation,
                user=request.user,
                document_number=request.POST.get("document_number", ""),
            )
            messages.success(request, "已发布，结果写入各单位绩误档案并通知各单位。")
        else:
            raise Http404()
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("evaluation-detail", evaluation.pk)


def _compute_outcome(request, evaluation, outcome: dict, reason: str = ""):
    """What the office sees once a computation finished: the result, or the question."""
    if outcome.get("ok"):
        messages.success(request, f"已计算，生成第{outcome['number']}版结果。")
    elif outcome.get("needs_confirmation"):
        return render(
            request,
            "scoring/confirm_compute.html",
            {"evaluation": evaluation, "question": outcome["messages"][0], "reason": reason},
        )
    else:
        for message in outcome.get("messages", []):
            messages.error(request, message)
    return redirect("evaluation-detail", evaluation.pk)


@role_required(Role.OFFICE)
def compute_status(request, evaluation_id, task_id):
    """Progress of a computation running in Celery; the page polls itself until it is done."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    progress = compute_progress(task_id, evaluation.pk)
    if progress["state"] == "SUCCESS":
        return _compute_outcome(request, evaluation, progress["outcome"])
    if progress["state"] == "FAILURE":
        for message in progress["messages"]:
            messages.error(request, message)
        return redirect("evaluation-detail", evaluation.pk)
    return render(
        request, "scoring/compute_status.html", {"evaluation": evaluation, "progress": progress}
    )


@login_required
def unit_score(request, evaluation_id, unit_id):
    """Explain: every indicator's T, A (and the reported figure), r, rule and points."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    score = get_object_or_404(
        scorecards_visible_to(request.user), version=evaluation.current_version_id, unit_id=unit_id
    )
    return render(
        request,
        "scoring/unit_score.html",
        {
            "evaluation": evaluation,
            "score": score,
            "items": scorecard_items(score),
            "rules": evaluation.current_version.rules,
            "status": QuarterlyEvaluation.Status,
        },
    )
