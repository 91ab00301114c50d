from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("tra-cuu/", views.public_status, name="public_status_search"),
    path("tra-cuu/<str:code>/", views.public_status, name="public_status"),
    path("can-bo/ho-so/", views.queue, name="queue"),
    path("can-bo/tiep-nhan-truc-tiep/", views.intake, name="intake"),
    path("can-bo/tiep-nhan-nhieu/", views.bulk_receive, name="bulk_receive"),
    path("can-bo/ho-so/<str:code>/", views.detail, name="detail"),
    path("can-bo/ho-so/<str:code>/thao-tac/", views.act, name="act"),
    path("can-bo/ho-so/<str:code>/xin-loi/", views.apologise, name="apologise"),
    path("can-bo/ho-so/<str:code>/van-ban/<str:kind>/", views.document_download, name="document"),
]
