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

A database that did not answer is asked again in the background: the filing publishes
`ComponentsNotRead`, whose after-commit handler asks for `components_reread_task` (retried with
backoff), and the beat sweep `components_reread_sweep_task` re-reads what is still waiting
(the broker was down, the task gave up). A re-read that finds the record publishes
`ComponentsReplaced`: the national sync sends the dossier record again, with the component's
MaKetQuaThayThe and the database in DSKetNoiCSDL. No query is added to the filing for this.
"""

import datetime as dt
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
from ..events import ComponentsNotRead, ComponentsReplaced, UseCase, publish
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
        values = _read(database, key, what=f"{component.pk} of {dossier.code}")
        row, _created = ComponentReplacement.objects.update_or_create(
            dossier=dossier, component=component, defaults={"database": database, "lookup_key": key, **values}
        )
        rows.append(row)
    waiting = tuple(row.pk for row in rows if row.state == ReplacementState.UNAVAILABLE)
    if waiting:
        publish(ComponentsNotRead(at=timezone.now(), dossier_id=dossier.pk, replacement_ids=waiting))
    return rows


def _read(database: NationalDatabase, key: str, *, what: str) -> dict[str, Any]:
    """One reading of a replaced component: the row's state, record, data and reason."""
    values: dict[str, Any] = {"read_at": timezone.now()}
    if not LOOKUP_KEY.match(key):
        return values | {"state": ReplacementState.NOT_FOUND, "error": "Hồ sơ không có số định danh để tra cứu."}
    try:
        found = database_read(database, key)
    except NotFound:
        return values | {"state": ReplacementState.NOT_FOUND, "error": "Cơ sở dữ liệu không có bản ghi của người nộp."}
    except RegistryUnavailable as exc:
        logger.warning("replacing %s: %s did not answer: %s", what, database.code, exc)
        return values | {"state": ReplacementState.UNAVAILABLE, "error": str(exc)[:500]}
    return values | {"state": ReplacementState.READ, "record_id": found.record_id, "data": found.data, "error": ""}


def components_reread(*, dossier_id: int) -> int:
    """Read again the dossier's replaced components whose database did not answer (outside any
    transaction: HTTP first, then one short write). Each row is written only if it is still
    waiting (a task and the sweep may race: the first one wins, the other changes nothing).
    Publishes ComponentsReplaced for the rows now read. Returns how many rows still wait."""
    waiting = list(
        ComponentReplacement.objects.filter(dossier_id=dossier_id, state=ReplacementState.UNAVAILABLE)
        .select_related("database", "dossier")
        .order_by("component_id")
    )
    readings = [
        (row, _read(row.database, row.lookup_key, what=f"{row.component_id} of {row.dossier.code}")) for row in waiting
    ]
    read: list[int] = []
    with UseCase():
        for row, values in readings:
            still = ComponentReplacement.objects.filter(pk=row.pk, state=ReplacementState.UNAVAILABLE)
            if values["state"] == ReplacementState.UNAVAILABLE:
                still.update(error=values["error"], read_at=values["read_at"])
            elif still.update(**values) and values["state"] == ReplacementState.READ:
                read.append(row.pk)
        if read:
            publish(ComponentsReplaced(at=timezone.now(), dossier_id=dossier_id, replacement_ids=tuple(read)))
    return sum(1 for _row, values in readings if values["state"] == ReplacementState.UNAVAILABLE)


def components_waiting(*, max_age: dt.timedelta, limit: int) -> list[int]:
    """The dossiers, still open, with a replaced component whose database has not answered,
    filed within `max_age` (older ones: the officer has asked for the paper by now)."""
    since = timezone.now() - max_age
    return list(
        ComponentReplacement.objects.filter(
            state=ReplacementState.UNAVAILABLE, dossier__closed_at__isnull=True, dossier__submitted_at__gte=since
        )
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:limit]
    )
