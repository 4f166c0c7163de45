"""Every refused request (403, 404) logged once, on `jiaozhang.access`, with who asked for what.

Views refuse another unit's object by looking it up in a queryset scoped to the user
(`get_object_or_404(…_visible_to(user), pk=…)`: a 404, the same answer as for an id that does
not exist) or by raising PermissionDenied (`role_required`, a service's check). Both become a
403/404 response before the middleware stack sees them, so the one place to log them is here,
on the way out: someone probing ids leaves a trail of WARNING lines naming their account.

The line carries the user (id and username), the method and path (never the query string,
which may carry search text or a `next` URL), the URL's name and its keyword arguments (the
object's ids: `evidence-file evidence_id=12`) and the refusal's own message when it raised one
(`No LedgerEntry matches the given query.` names the model). Nothing from the body or headers.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

logger = logging.getLogger("jiaozhang.access")

REFUSED = (403, 404)
REASON_LENGTH = 200  # a refusal's message, cut: enough to name the model or the rule


class AccessDenialLogMiddleware:
    """Logs each 403/404 answer at WARNING; must sit after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED:
            log_refusal(request, response.status_code)
        return response

    def process_exception(self, request, exception):
        # Keep the refusal's message for the log line; Django still renders the 403/404 page.
        if isinstance(exception, Http404 | PermissionDenied):
            request.refusal_reason = str(exception)[:REASON_LENGTH]
        return None


def log_refusal(request, status: int) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"{user.pk}({user.get_username()})"
    else:
        who = "anonymous"
    match = getattr(request, "resolver_match", None)
    if match is None:
        target = "-"  # no page at this path
    else:
        ids = " ".join(f"{key}={value}" for key, value in sorted(match.kwargs.items()))
        target = f"{match.view_name} {ids}".strip()
    reason = getattr(request, "refusal_reason", "")
    logger.warning(
        "refused %s: user %s %s %s object %s%s",
        status,
        who,
        request.method,
        request.path,
        target,
        f" ({reason})" if reason else "",
        extra={
            "status_code": status,
            "user_id": getattr(user, "pk", None),
            "path": request.path,
            "object": dict(match.kwargs) if match else {},
        },
    )
