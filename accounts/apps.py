from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản và phân quyền")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import auth_log, middleware

        auth_log.connect()
        user_logged_in.connect(middleware.session_started, dispatch_uid="accounts.middleware.session_started")
