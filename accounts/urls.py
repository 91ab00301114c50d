from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("xac-thuc-hai-lop/", views.otp_verify, name="otp_verify"),
    path("xac-thuc-hai-lop/cai-dat/", views.otp_setup, name="otp_setup"),
    path("xac-thuc-hai-lop/ma-du-phong/", views.otp_backup_codes, name="otp_backup_codes"),
    path("phien/", views.session_status, name="session_status"),
    path("phien/gia-han/", views.session_keepalive, name="session_keepalive"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("dang-ky/", views.register, name="register"),
    path("tai-khoan/", views.profile, name="profile"),
    path("vneid/dang-nhap/", views.vneid_login, name="vneid_login"),
    path("vneid/ket-qua/", views.vneid_callback, name="vneid_callback"),
    path("phuong-xa/", views.wards, name="wards"),
    path("can-bo/thu-tuc/", views.officer_procedures, name="officer_procedures"),
    path(
        "quen-mat-khau/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
