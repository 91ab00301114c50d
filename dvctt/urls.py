from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dossiers import api as dossiers_api
from indicators import api as indicators_api
from procedures import api as procedures_api
from procedures import views as procedure_views

from . import metrics, views

api_v1 = [
    path("procedures/", procedures_api.ProcedureListApi.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", procedures_api.ProcedureDetailApi.as_view(), name="procedure-detail"),
    path("sectors/", procedures_api.SectorListApi.as_view(), name="sector-list"),
    path("agencies/", procedures_api.AgencyListApi.as_view(), name="agency-list"),
    path("dossiers/", dossiers_api.DossierListApi.as_view(), name="dossier-list"),
    path("dossiers/<str:code>/", dossiers_api.DossierDetailApi.as_view(), name="dossier-detail"),
    path("indicators/", indicators_api.IndicatorScorecardApi.as_view(), name="indicator-scorecard"),
    path("indicators/agencies/", indicators_api.IndicatorAgencyRankingApi.as_view(), name="indicator-agencies"),
]

urlpatterns = [
    path("", procedure_views.home, name="home"),
    path("", include("procedures.urls")),
    path("tai-khoan/", include("accounts.urls")),
    path("", include("dossiers.urls")),
    path("", include("dossiers.signing.urls")),
    path("", include("workflows.urls")),
    path("", include("eforms.urls")),
    path("", include("emc_sync.urls")),
    path("", include("indicators.urls")),
    path("quan-tri/dich-vu/", include("console.urls")),
    path("ngon-ngu/", set_language, name="set_language"),
    # The scripts' text in the reader's language (locale/*/LC_MESSAGES/djangojs.po). base.html
    # asks for it with ?l=<language>, so a browser's cached copy is never the other language's.
    path("jsi18n/", cache_page(3600)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script=): no inline script, CSP holds.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]
if settings.MOCK_PORTAL_ENABLED:
    urlpatterns.append(path("mock/", include("emc_sync.mock_portal.urls")))

admin.site.site_header = "Quản trị Cổng Dịch vụ công"
admin.site.site_title = "Quản trị Cổng Dịch vụ công"
admin.site.index_title = "Danh mục và tài khoản"
