"""Register pages: contracted (being built)."""

urlpatterns = []
