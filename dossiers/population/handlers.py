"""A newly filed dossier's applicant is checked against the population registry after commit."""

from django.conf import settings

from common.tasks import publish_now
from dossiers.events import DossierSubmitted

from .services import CITIZEN_ID
from .tasks import population_check_task


def check_population(event: DossierSubmitted) -> None:
    """After commit: ask for the registry check of a dossier filed with a citizen id number."""
    if not settings.POPULATION_CHECK_ENABLED:
        return
    if CITIZEN_ID.match(event.dossier.applicant_id_number):
        publish_now(population_check_task, (event.dossier_id,))
