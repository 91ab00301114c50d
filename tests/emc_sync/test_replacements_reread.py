"""Resolution 66.7 components whose database did not answer at filing: read again by a task
(retried) and by the beat sweep; once read, the national portal gets the dossier record again
with MaKetQuaThayThe and DSKetNoiCSDL, and the strict stand-in accepts it."""

import datetime as dt

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from dossiers.constants import ReplacementState
from dossiers.events import ComponentsNotRead, ComponentsReplaced, Phase, Subscription, registry
from dossiers.models import ComponentReplacement
from dossiers.replacements.tasks import components_reread_sweep_task, components_reread_task
from emc_sync.constants import Target
from emc_sync.mock_portal.validation import record_errors
from emc_sync.models import OutboxRow
from procedures.constants import DatabaseLookup
from procedures.models import NationalDatabase
from tests.factories import ComponentFactory

from .conftest import PORTAL, submit

REGISTRY = f"{PORTAL}/dancu"
PERSON = f"{REGISTRY}/congdan/037195004321"
ANSWER = {"error_code": "0", "SoDinhDanh": "037195004321", "HoVaTen": "Trần Thị Mai", "NgaySinh": "19950412"}


@pytest.fixture
def population(portal, settings):
    """A procedure whose identity card is replaced by the population database, read through `portal`."""
    settings.POPULATION_REGISTRY_URL = REGISTRY
    settings.POPULATION_REGISTRY_TOKEN_URL = f"{PORTAL}/oauth/token"
    settings.POPULATION_CHECK_ENABLED = False  # the identity check is another feature's task
    settings.SYNC_ENABLED = True
    database = NationalDatabase.objects.get_or_create(
        code="CSDLQGDC", defaults={"name": "CSDL quốc gia về dân cư", "lookup": DatabaseLookup.POPULATION}
    )[0]
    return database


def file_while_down(office, population, portal, django_capture_on_commit_callbacks):
    component = ComponentFactory(procedure=office["procedure"], name="Căn cước công dân", replaced_by=population)
    down = portal.get(PERSON, status=503, json={"error_code": "9"})
    heard = []
    with (
        registry.subscribed(Subscription(ComponentsNotRead, heard.append, Phase.IN_TRANSACTION)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dossier = submit(office, applicant_id_number="037195004321", applicant_name="Trần Thị Mai")
    return dossier, component, down, heard


def hoso_records(dossier):
    return list(OutboxRow.objects.filter(dossier=dossier, target=Target.DVCQG_HOSO).order_by("id"))


def test_a_database_down_at_filing_is_read_again_and_the_national_portal_told(
    office, population, portal, django_capture_on_commit_callbacks
):
    # given the population database does not answer while the citizen files
    dossier, component, down, heard = file_while_down(office, population, portal, django_capture_on_commit_callbacks)

    # then the filing went through, the row waits, and the re-read was asked for (it ran once,
    # eagerly after the commit, and found the database still down)
    row = ComponentReplacement.objects.get(dossier=dossier)
    assert (row.state, row.record_id) == (ReplacementState.UNAVAILABLE, "")
    assert [(event.dossier_id, event.replacement_ids) for event in heard] == [(dossier.pk, (row.pk,))]
    assert down.call_count == 2  # at filing, and the task's one eager try
    assert [r.payload["DSKetNoiCSDL"] for r in hoso_records(dossier)] == [[]]

    # when the database answers again and the beat sweep runs
    portal.replace("GET", PERSON, json=ANSWER)
    replaced = []
    with registry.subscribed(Subscription(ComponentsReplaced, replaced.append, Phase.IN_TRANSACTION)):
        swept = components_reread_sweep_task()

    # then the component is read, ComponentsReplaced told, and a fresh dossier record says so
    row.refresh_from_db()
    assert (swept, row.state, row.record_id, row.data["HoVaTen"]) == (
        1, ReplacementState.READ, "037195004321", "Trần Thị Mai",
    )  # fmt: skip
    assert [(event.dossier_id, event.replacement_ids) for event in replaced] == [(dossier.pk, (row.pk,))]
    first, again = hoso_records(dossier)
    assert again.idempotency_key == f"dvcqg_hoso:{dossier.code}:1:c{row.pk}-1"
    assert [item.get("MaKetQuaThayThe") for item in again.payload["TaiLieuNop"]] == ["CSDLQGDC:037195004321"]
    assert again.payload["DSKetNoiCSDL"] == [{"MaCSDL": "CSDLQGDC"}]
    assert again.payload["HoSoCoThanhPhanSoHoa"] == 1
    # and the strict stand-in accepts it; only the dossier record is re-sent (the dossier did not move)
    assert record_errors("hoso", again.payload) == []
    assert OutboxRow.objects.filter(dossier=dossier).exclude(target=Target.DVCQG_HOSO).count() == 2

    # when the sweep runs again: nothing left to read, nothing written
    assert (components_reread_sweep_task(), len(hoso_records(dossier))) == (0, 2)


def test_the_task_is_retried_with_backoff_while_the_database_stays_down(
    office, population, portal, django_capture_on_commit_callbacks, monkeypatch
):
    # given a dossier filed while the database was down
    dossier, _component, _down, _heard = file_while_down(office, population, portal, django_capture_on_commit_callbacks)
    retries = []

    def retry(*, exc, countdown):
        retries.append((str(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(components_reread_task, "retry", retry)

    # when the task runs in a worker (not eagerly), a second time, the database still down
    components_reread_task.push_request(is_eager=False, retries=1)
    try:
        with pytest.raises(Retry):
            components_reread_task.run(dossier.pk)
    finally:
        components_reread_task.pop_request()

    # then it asks to be retried later, with backoff, and the row still waits
    assert retries == [(f"1 component(s) of dossier {dossier.pk} still unread", 120)]
    assert ComponentReplacement.objects.get(dossier=dossier).state == ReplacementState.UNAVAILABLE

    # when its last retry finds the database answering: read, no further retry
    portal.replace("GET", PERSON, json=ANSWER)
    components_reread_task.push_request(is_eager=False, retries=6)
    try:
        assert components_reread_task.run(dossier.pk) == 0
    finally:
        components_reread_task.pop_request()
    assert ComponentReplacement.objects.get(dossier=dossier).state == ReplacementState.READ
    assert len(retries) == 1


def test_the_sweep_leaves_closed_and_old_dossiers_and_a_race_reads_once(
    office, population, portal, django_capture_on_commit_callbacks
):
    # given three dossiers filed while the database was down: one open, one closed, one old
    dossiers = [file_while_down(office, population, portal, django_capture_on_commit_callbacks)[0] for _ in range(3)]
    open_one, closed, old = dossiers
    closed.__class__.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    old.__class__.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=8))
    portal.replace("GET", PERSON, json=ANSWER)

    # when the sweep runs, and then the task of the open one arrives late
    swept = components_reread_sweep_task()
    late = components_reread_task.apply(args=(open_one.pk,)).get()

    # then only the open, recent dossier is read, once, and told once
    states = dict(ComponentReplacement.objects.values_list("dossier_id", "state"))
    assert (swept, late) == (1, 0)
    assert states == {
        open_one.pk: ReplacementState.READ,
        closed.pk: ReplacementState.UNAVAILABLE,
        old.pk: ReplacementState.UNAVAILABLE,
    }
    assert len(hoso_records(open_one)) == 2
