"""Register pages: review (being built)."""

urlpatterns = []
