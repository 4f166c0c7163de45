"""URLs of the quarterly evaluations."""

from django.urls import path

from .views import evaluations

urlpatterns = [
    path("evaluations/", evaluations.evaluation_list, name="evaluation-list"),
    path("evaluations/open/", evaluations.evaluation_open, name="evaluation-open"),
    path("evaluations/<int:evaluation_id>/", evaluations.evaluation_detail,
         name="evaluation-detail"),
    path("evaluations/<int:evaluation_id>/<str:action>/", evaluations.evaluation_action,
         name="evaluation-action"),
    path("evaluations/<int:evaluation_id>/unit/<int:unit_id>/", evaluations.unit_score,
         name="unit-score"),
]  # fmt: skip
