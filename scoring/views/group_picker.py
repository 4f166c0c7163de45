"""The ranking-group picker of the results and evaluation pages: a city's ranking is shown one
group at a time (issue 14), the exports still hold every unit."""

from django.http import Http404

from jiaozhang.ids import id_param


def picked_group(request, groups: list, *, own_group_id=None):
    """The group `?group=<id>` names among `groups`; without it the viewer's own group, else
    the first. A group not among them is a 404 (in Chinese)."""
    group_id = id_param(request.GET, "group")
    by_id = {group.pk: group for group in groups}
    if group_id is not None:
        if group_id not in by_id:
            raise Http404("没有这个考核组别，或您无权查看。")
        return by_id[group_id]
    return by_id.get(own_group_id) or (groups[0] if groups else None)
