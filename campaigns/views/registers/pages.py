"""Register pages: pages (being built)."""

urlpatterns = []
