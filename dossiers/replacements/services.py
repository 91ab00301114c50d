"""Dossier components replaced by data the state already holds (Resolution 66.7/2025/NQ-CP).

A province admin marks a component "replaced by database X" (procedures.NationalDatabase, a
list that is data). The applicant is not asked for it; at filing (`dossier_submit`, every
channel) `components_replace` reads the record from the database by the applicant's id number
and keeps which database and record replaced the component, for the officer and the national
portal (TaiLieuNop.MaKetQuaThayThe, DSKetNoiCSDL).

The population database is read through the population registry client; the sector databases
(civil status, business registration, land) through one lookup of the same shape,
`GET <NATIONAL_DATABASES_URL>/<MaCSDL>/<number>` with the registry's token (assumed: the data
sharing platform serves them alike). The read happens inside the filing's transaction, bounded
by POPULATION_REGISTRY_TIMEOUT_SECONDS per database; a database that does not answer or has no
record leaves a row saying so (the officer asks for the paper if needed), never a failed filing.
"""

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from eforms.prefill_sources import RegistryUnavailable, registry_get, registry_person
from procedures.constants import DatabaseLookup
from procedures.models import NationalDatabase

from ..constants import ReplacementState
from ..models import ComponentReplacement, Dossier

logger = logging.getLogger(__name__)

LOOKUP_KEY = re.compile(r"^[0-9A-Za-z.\-]{1,64}$")


@dataclass(frozen=True)
class Found:
    record_id: str
    data: dict[str, Any]


class NotFound(Exception):
    pass


def _sector_record(database: NationalDatabase, key: str) -> Found:
    body = registry_get(f"{settings.NATIONAL_DATABASES_URL.rstrip('/')}/{database.code}/{key}")
    if body.get("error_code") != "0" or not body.get("MaBanGhi"):
        raise NotFound()
    return Found(record_id=str(body["MaBanGhi"])[:100], data=dict(body.get("DuLieu") or {}))


def database_read(database: NationalDatabase, key: str) -> Found:
    """The record of `key` (the applicant's id number) in `database`; NotFound, or
    RegistryUnavailable when the database cannot answer."""
    if database.lookup == DatabaseLookup.POPULATION:
        person = registry_person(key)
        if not person:
            raise NotFound()
        return Found(record_id=str(person.get("SoDinhDanh") or key), data=person)
    return _sector_record(database, key)


def components_replace(*, dossier: Dossier) -> list[ComponentReplacement]:
    """Read every replaced component of the dossier's procedure (called by dossier_submit in its
    transaction, before the filing's event: the submission's national record carries them).

    One row per component: read (the record and its data), not found, or unavailable (with the
    reason). Idempotent per dossier and component. Side effects: HTTP to the databases.
    """
    components = list(
        dossier.procedure.components.filter(replaced_by__isnull=False, replaced_by__is_active=True)
        .select_related("replaced_by")
        .order_by("order", "id")
    )
    rows = []
    key = dossier.applicant_id_number.strip()
    for component in components:
        database = component.replaced_by
        assert database is not None  # noqa: S101 - filtered above
        values: dict[str, Any] = {"database": database, "lookup_key": key, "read_at": timezone.now()}
        if not LOOKUP_KEY.match(key):
            values |= {"state": ReplacementState.NOT_FOUND, "error": "Hồ sơ không có số định danh để tra cứu."}
        else:
            try:
                found = database_read(database, key)
            except NotFound:
                values |= {
                    "state": ReplacementState.NOT_FOUND,
                    "error": "Cơ sở dữ liệu không có bản ghi của người nộp.",
                }
            except RegistryUnavailable as exc:
                logger.warning(
                    "replacing %s of %s: %s did not answer: %s", component.pk, dossier.code, database.code, exc
                )
                values |= {"state": ReplacementState.UNAVAILABLE, "error": str(exc)[:500]}
            else:
                values |= {
                    "state": ReplacementState.READ,
                    "record_id": found.record_id,
                    "data": found.data,
                    "error": "",
                }
        row, _created = ComponentReplacement.objects.update_or_create(
            dossier=dossier, component=component, defaults=values
        )
        rows.append(row)
    return rows
