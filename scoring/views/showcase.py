"""The 亮相会 screen: a quarter's deck of full-screen slides, driven by the keyboard."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import reads_every_unit

from ..showcase import showcase_deck


@login_required
def showcase(request, evaluation_id):
    deck = showcase_deck(request.user, evaluation_id)
    if deck is None:
        raise Http404("没有这个季度考评，或尚未发布。")
    return render(
        request,
        "scoring/showcase/deck.html",
        {"deck": deck, "may_print": reads_every_unit(request.user)},
    )
