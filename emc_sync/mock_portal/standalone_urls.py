"""ROOT_URLCONF of `run_mock_portal`: the stand-in alone, at the root of its own server."""

from django.urls import include, path

urlpatterns = [
    path("", include("emc_sync.mock_portal.urls")),
]
