from django.apps import AppConfig


class DvcttConfig(AppConfig):
    name = "dvctt"

    def ready(self) -> None:
        from .metrics import register_portal_collector
        from .request_log import install_record_factory

        install_record_factory()
        register_portal_collector()
