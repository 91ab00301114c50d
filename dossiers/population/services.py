"""Authenticating a dossier's applicant against the national population database (CSDLQG về dân cư).

Decision 766 scores "dossiers authenticated against the population DB" with 2 + 2 points
(DOMAIN.md, indicator 4.5). The first half is the applicant's account proven by VNeID; this
module gives the second: after a dossier is filed (any channel), the registry is asked about the
applicant's id number and the dossier is marked authenticated when the registry knows the number
and its holder's name (and birth date, where the account has one) agree with the dossier.

The check runs in the background (`tasks.population_check_task`, retried while the registry is
unavailable) so a slow or absent registry never holds up a filing. A mismatch or an unknown
number leaves the dossier unauthenticated and is logged; nothing is shown to the applicant.
"""

import datetime as dt
import logging
import re
import unicodedata

from django.conf import settings
from django.utils import timezone

from dossiers.models import Dossier
from eforms.prefill_sources import registry_person

logger = logging.getLogger(__name__)

CITIZEN_ID = re.compile(r"^\d{12}$")


def _same_name(a: str, b: str) -> bool:
    def norm(name: str) -> str:
        return " ".join(unicodedata.normalize("NFC", name).split()).casefold()

    return bool(a.strip()) and norm(a) == norm(b)


def population_check(*, dossier_id: int) -> bool:
    """Ask the registry about the dossier's applicant; True if now authenticated.

    Raises eforms.prefill_sources.RegistryUnavailable when the registry cannot answer (the task
    retries). Idempotent: an authenticated dossier is not asked about again.
    """
    dossier = Dossier.objects.select_related("applicant").get(pk=dossier_id)
    if dossier.population_checked_at is not None:
        return True
    if not CITIZEN_ID.match(dossier.applicant_id_number):
        return False
    person = registry_person(dossier.applicant_id_number)
    # The registry answered (whatever it said): the sweep need not ask again.
    Dossier.objects.filter(pk=dossier.pk).update(population_asked_at=timezone.now())
    if not person:
        logger.info("population check %s: the registry does not know the id number", dossier.code)
        return False
    if not _same_name(dossier.applicant_name, str(person.get("HoVaTen", ""))):
        logger.warning("population check %s: the name differs from the registry's", dossier.code)
        return False
    born = dossier.applicant.date_of_birth if dossier.applicant is not None else None
    if born is not None and person.get("NgaySinh") and person["NgaySinh"] != born.isoformat():
        logger.warning("population check %s: the birth date differs from the registry's", dossier.code)
        return False
    Dossier.objects.filter(pk=dossier.pk, population_checked_at__isnull=True).update(
        population_checked_at=timezone.now()
    )
    return True


def dossiers_never_asked(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    """Dossiers filed with a citizen id whose registry check never got an answer: filed between
    POPULATION_SWEEP_DAYS ago and POPULATION_SWEEP_AFTER_MINUTES (10) ago (the normal path's
    time), oldest first. The broker was down at filing, or the task gave up while the registry
    was away."""
    now = now or timezone.now()
    return list(
        Dossier.objects.filter(
            population_asked_at__isnull=True,
            population_checked_at__isnull=True,
            submitted_at__gte=now - dt.timedelta(days=settings.POPULATION_SWEEP_DAYS),
            submitted_at__lte=now - dt.timedelta(minutes=settings.POPULATION_SWEEP_AFTER_MINUTES),
            applicant_id_number__regex=CITIZEN_ID.pattern,
        )
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
