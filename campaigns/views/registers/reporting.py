"""Register pages: reporting (being built)."""

urlpatterns = []
