from django.apps import AppConfig


class EmcSyncConfig(AppConfig):
    name = "emc_sync"
    verbose_name = "Đồng bộ Cổng DVCQG và EMC"

    def ready(self) -> None:
        from dossiers import events

        from .services import outbox_record_change

        events.subscribe(outbox_record_change)
