from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("chi-so/", views.dashboard, name="dashboard"),
    path("chi-so/ho-so/", views.dossier_drilldown, name="dossiers"),
    path("chi-so/bao-cao/", views.report_download, name="report"),
    path("chi-so/quoc-gia/", views.national_preview_page, name="national"),
    path("chi-so/giai-thich/<str:code>/", views.indicator_explain, name="explain"),
]
