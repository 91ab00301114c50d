from django.urls import path

from . import citizen_views, file_views, views
from .payments import views as payment_views

app_name = "dossiers"

urlpatterns = [
    path("tra-cuu/", views.public_status, name="public_status_search"),
    path("tra-cuu/<str:code>/", views.public_status, name="public_status"),
    path("can-bo/ho-so/", views.queue, name="queue"),
    path("can-bo/tiep-nhan-truc-tiep/", views.intake, name="intake"),
    path("can-bo/tiep-nhan-nhieu/", views.bulk_receive, name="bulk_receive"),
    path("can-bo/ho-so/<str:code>/", views.detail, name="detail"),
    path("can-bo/ho-so/<str:code>/thao-tac/", views.act, name="act"),
    path("can-bo/ho-so/<str:code>/ky-so-lai/", views.sign_again, name="sign_again"),
    path("can-bo/ho-so/<str:code>/xin-loi/", views.apologise, name="apologise"),
    path("can-bo/ho-so/<str:code>/nghia-vu-tai-chinh/", views.request_payment, name="request_payment"),
    path("can-bo/ho-so/<str:code>/lay-y-kien/", views.consult, name="consult"),
    path("can-bo/lay-y-kien/", views.consultations, name="consultations"),
    path("can-bo/lay-y-kien/<int:pk>/tra-loi/", views.consultation_reply, name="consultation_reply"),
    path("can-bo/phan-anh/", views.complaints, name="complaints"),
    path("can-bo/phan-anh/<int:pk>/tra-loi/", views.complaint_reply, name="complaint_reply"),
    path("can-bo/ho-so/<str:code>/van-ban/<str:kind>/", views.document_download, name="document"),
]
# The citizen journey, files and payments each keep their own list (built side by side).
urlpatterns += citizen_views.urlpatterns + file_views.urlpatterns + payment_views.urlpatterns
