from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/ca-demo.crl", views.demo_crl, name="demo_crl"),
    path("xac-thuc/<str:code>/", views.verify_code, name="by_code"),
]
