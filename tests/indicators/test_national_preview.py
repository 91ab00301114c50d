"""The national preview: the figures computed from the records the national portal accepted."""

import pytest
import time_machine

from dossiers.constants import PauseKind
from dossiers.models import Dossier, DossierPause
from emc_sync import mapping
from emc_sync.constants import OutboxState, Target
from emc_sync.models import OutboxRow
from indicators import national
from indicators.selectors import Scope, national_preview, period_month
from tests.indicators.test_formula_document import NOW, at, province  # noqa: F401 - the fixture
from workflows.constants import Status

OCTOBER = period_month(year=2026, month=10)


def deliver(dossier, *, sequence=1, **changes):
    """The record the mapping builds for the dossier, accepted by the national portal."""
    dossier = Dossier.objects.get(pk=dossier.pk)
    record = mapping.dossier_record(dossier)
    record.update(changes)
    return OutboxRow.objects.create(
        target=Target.DVCQG_HOSO, dossier=dossier, sequence=sequence, idempotency_key=f"t-{dossier.pk}-{sequence}",
        payload=record, state=OutboxState.DELIVERED, delivered_at=NOW,
    )  # fmt: skip


@pytest.fixture
def consistent(province):  # noqa: F811
    """The fixture's dossiers asked twice for papers get their two pauses (the record lists them)."""
    for n in (7, 25):
        d = province["dossiers"][n]
        for day in (9, 10):
            DossierPause.objects.create(
                dossier=d, kind=PauseKind.SUPPLEMENT, started_at=at(day), ended_at=at(day, hour=15),
                resume_status=Status.PROCESSING, due_before=d.due_at, due_after=d.due_at,
            )  # fmt: skip
    return province


def points(result):
    return {i.code: i.points for i in result.indicators}


@pytest.mark.django_db
def test_the_preview_equals_the_local_figure_when_every_record_was_accepted(consistent):
    # given every dossier of the province accepted as it stands (the ones we mark synced and the rest)
    dossiers = consistent["dossiers"]
    for d in dossiers.values():
        if d.received_at is not None:
            d.national_synced_at = d.received_at
            d.save(update_fields=["national_synced_at"])
            deliver(d)

    # when
    with time_machine.travel(NOW, tick=False):
        seen = national_preview(period=OCTOBER, scope=Scope())

    # then the national figure is the local one, indicator by indicator, and nothing differs
    assert points(seen.national) == points(seen.local)
    assert seen.national.total_points == seen.local.total_points
    assert seen.differences == []


@pytest.mark.django_db
def test_the_preview_names_the_dossiers_that_were_not_accepted_or_sent_short(consistent):
    # given the fixture as it is (4, 12, 25, 31 never synced), every synced one accepted, except:
    dossiers = consistent["dossiers"]
    for n, d in dossiers.items():
        if d.national_synced_at is None or n in (9, 26):
            continue
        deliver(d)
    deliver(dossiers[9], DanhSachLePhi=[])  # 9 went without its fee data
    deliver(dossiers[26], DanhSachGiayToKetQua=[{"TenGiayTo": "Giấy phép", "DuongDanTepTinKetQua": ""}])  # no link

    # when
    with time_machine.travel(NOW, tick=False):
        seen = national_preview(period=OCTOBER, scope=Scope())

    # then each difference names its dossier and cause
    causes = {cause: sorted(d.code[-4:] for d in items) for cause, items in seen.by_cause().items()}
    assert causes == {
        national.NOT_SYNCED: ["0004", "0012", "0025", "0031"],
        national.NO_FEE_DATA: ["0009"],
        national.RESULT_INCOMPLETE: ["0026"],
    }
    # and the figures move accordingly: 4.1 loses 26's result nationally (local 13 of 21)
    local, far = seen.local.get("4.1"), seen.national.get("4.1")
    assert (local.numerator, local.denominator) == (13, 21)
    # nationally only the accepted records count: 21 paper dossiers less 4, 25, 31 → 18; results 13 − 31 − 26 → 11
    assert (far.numerator, far.denominator) == (11, 18)
    # 1.4: 23 of 27 locally; nationally 23 records of the 27 the province reports
    assert (seen.national.get("1.4").numerator, seen.national.get("1.4").denominator) == (23, 27)
