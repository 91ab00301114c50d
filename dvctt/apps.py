from django.apps import AppConfig


class DvcttConfig(AppConfig):
    name = "dvctt"

    def ready(self) -> None:
        from emc_sync.selectors import delivered_dossier_records
        from indicators.national import record_source_register

        from .metrics import register_portal_collector
        from .request_log import install_record_factory

        install_record_factory()
        register_portal_collector()
        # The national preview of Decision 766 reads what the national portal accepted (indicators
        # may not import emc_sync: the two are wired here).
        record_source_register(lambda ids: delivered_dossier_records(dossier_ids=ids))
