from django.urls import path

from . import views

app_name = "eforms"

urlpatterns = [
    path("quan-tri/bieu-mau/", views.form_index, name="index"),
    path("quan-tri/bieu-mau/thu-tuc/<str:code>/", views.form_procedure, name="procedure"),
    path("quan-tri/bieu-mau/thu-tuc/<str:code>/tao-ban-nhap/", views.form_start, name="start"),
    path("quan-tri/bieu-mau/thu-tuc/<str:code>/nhap-json/", views.form_import_view, name="import"),
    path("quan-tri/bieu-mau/<int:version_id>/sua/", views.form_edit, name="edit"),
    path("quan-tri/bieu-mau/<int:version_id>/xem-truoc-buoc/", views.form_live_preview, name="live_preview"),
    path("quan-tri/bieu-mau/<int:version_id>/ban-hanh/", views.form_publish, name="publish"),
    path("quan-tri/bieu-mau/<int:version_id>/sao-chep/", views.form_clone, name="clone"),
    path("quan-tri/bieu-mau/<int:version_id>/xuat-json/", views.form_export_view, name="export"),
    path("quan-tri/bieu-mau/<int:version_id>/xem-thu/", views.form_preview, name="preview"),
]
