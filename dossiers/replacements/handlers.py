"""After a filing whose replaced components a database did not answer for: read them again later."""

from common.tasks import publish_now
from dossiers.events import ComponentsNotRead

from .tasks import components_reread_task


def reread_later(event: ComponentsNotRead) -> None:
    """After commit: ask for the re-read task (fails fast with the broker down: the beat sweep
    components_reread_sweep_task finds the rows still waiting)."""
    publish_now(components_reread_task, (event.dossier_id,))
