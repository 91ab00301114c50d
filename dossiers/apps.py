from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")

    def ready(self) -> None:
        from .events import registry

        # Every installed app's subscriptions.py (this one's, emc_sync's): a handler for an
        # unknown event type stops the start here, with its name.
        registry.load()
