from django.urls import path

from . import views

app_name = "emc_sync"

urlpatterns = [
    path("quan-tri/dong-bo/", views.sync_summary, name="summary"),
    path("quan-tri/dong-bo/gui-lai/", views.sync_resend, name="resend"),
    path("quan-tri/dong-bo/thu-lai-ho-so-nhan/", views.sync_inbound_retry, name="inbound_retry"),
]
