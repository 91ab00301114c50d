from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "eforms"
    verbose_name = _("Biểu mẫu điện tử")

    def ready(self) -> None:
        from .prefill_sources import register_builtin_sources

        register_builtin_sources()
