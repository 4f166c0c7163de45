"""Project-wide middleware: a method refused by a view answers with a page, not an empty body."""

from django.template.loader import render_to_string


class NotAllowedPageMiddleware:
    """Django's require_POST (and every view that refuses a method) returns an empty 405; a
    user who opened such an action URL (a bookmark, a copied link) would see a blank page.
    Here the empty 405 gets the site's Chinese page, keeping its status and Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        streaming = getattr(response, "streaming", False)
        if response.status_code == 405 and not streaming and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
