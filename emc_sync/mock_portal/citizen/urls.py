from django.urls import path

from . import views

app_name = "mock_citizen"

urlpatterns = [
    path("vneid/.well-known/openid-configuration", views.vneid_discovery, name="vneid-discovery"),
    path("vneid/authorize", views.vneid_authorize, name="vneid-authorize"),
    path("vneid/token", views.vneid_token, name="vneid-token"),
    path("vneid/userinfo", views.vneid_userinfo, name="vneid-userinfo"),
    path("vneid/jwks", views.vneid_jwks, name="vneid-jwks"),
    path("thanhtoan/thanh-toan", views.payment_page, name="payment-page"),
    path("thanhtoan/tra-cuu", views.payment_query, name="payment-query"),
    path("dvcqg/tra-cuu/<str:ma_ho_so>", views.dossier_page, name="dossier-page"),
]
