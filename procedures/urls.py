from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("thu-tuc/", views.procedure_index, name="index"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="detail"),
    path("linh-vuc/", views.sector_index, name="sectors"),
    path("co-quan/", views.agency_index, name="agencies"),
]
