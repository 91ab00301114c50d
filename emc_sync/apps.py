from django.apps import AppConfig


class EmcSyncConfig(AppConfig):
    name = "emc_sync"
    verbose_name = "Đồng bộ Cổng DVCQG và EMC"
    # What it hears of dossier changes: emc_sync/subscriptions.py (read by dossiers.events).
