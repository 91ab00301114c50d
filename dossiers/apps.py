from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")

    def ready(self) -> None:
        from . import events
        from .attachments import store_results_on_return
        from .notifications import notify_on_commit
        from .population import check_population_on_commit
        from .tasks import issue_documents_on_commit

        events.subscribe(issue_documents_on_commit)
        # Returned results join the citizen's document store, in the returning transaction.
        events.subscribe(store_results_on_return)
        # The applicant hears of every status change (e-mail and text message), after the commit.
        events.subscribe(notify_on_commit)
        # The applicant's identity is checked against the population registry (indicator 4.5).
        events.subscribe(check_population_on_commit)
