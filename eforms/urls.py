from django.urls import path

from . import views

app_name = "eforms"

urlpatterns = [
    path("quan-tri/bieu-mau/<int:version_id>/xem-thu/", views.form_preview, name="preview"),
]
