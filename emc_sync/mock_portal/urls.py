"""Everything the stand-in answers; mounted under /mock/ (embedded) or at / (run_mock_portal)."""

from django.urls import include, path

urlpatterns = [
    path("", include("emc_sync.mock_portal.citizen.urls")),
]
