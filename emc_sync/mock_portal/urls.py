"""Everything the stand-in answers; mounted under /mock/ (embedded) or at / (run_mock_portal)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("oauth/token", views.oauth_token),
    path("dvcqg/hoso/them", views.dossier_add),
    path("dvcqg/hoso/capnhat", views.dossier_update),
    path("dvcqg/hoso/tiendo", views.progress_add),
    path("dvcqg/hoso", views.dossier_list),
    path("dvcqg/hoso-moi", views.inbound_feed),
    path("dvcqg/tep/<str:file_id>", views.portal_file),
    path("emc/sukien", views.emc_event),
    path("emc/tracking.js", views.tracking_script),
    path("emc/pv", views.page_view),
    path("dancu/congdan/<str:so_dinh_danh>", views.citizen_detail),
    path("csdl/<str:ma_csdl>/<str:ma_tra_cuu>", views.sector_record),
    path("control/received", views.control_received),
    path("control/faults", views.control_faults),
    path("control/reset", views.control_reset),
    path("control/inbound", views.control_inbound),
    path("control/inbound/<str:ma_ho_so>/chuyen-lai", views.control_inbound_again),
    path("control/inbound/<str:ma_ho_so>/rut", views.control_inbound_withdraw),
    path("control/inbound/<str:ma_ho_so>/bo-sung", views.control_inbound_supplement),
    path("", include("emc_sync.mock_portal.citizen.urls")),
]
