from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from accounts.constants import Role
from emc_sync.constants import Target
from emc_sync.mapping import dossier_record
from emc_sync.models import OutboxRow
from emc_sync.reconciliation import reconcile
from workflows.constants import Action

from .conftest import PORTAL, act, at, submit

HOLDINGS = f"{PORTAL}/dvcqg/hoso"


@time_machine.travel(at(23, 9), tick=False)
def test_reconciliation_reports_missing_extra_and_differing_and_requeues_the_missing(office, portal):
    # given three dossiers: one the portal holds as is, one it holds in an older status, one it lacks
    same, older, lacking = submit(office), submit(office), submit(office)
    stale = dossier_record(older)
    act(office, older, Role.RECEPTION_OFFICER, Action.RECEIVE)
    stranger = {**dossier_record(same), "MaHoSo": "000.00.99.H42-261123-0001"}
    portal.get(HOLDINGS, json={"error_code": "0", "items": [dossier_record(same), stale, stranger]})
    out = StringIO()

    # when reconciling 23/11 with --requeue
    call_command("reconcile_national_portal", "--from", "2026-11-23", "--to", "2026-11-23", "--requeue", stdout=out)

    # then
    assert out.getvalue().splitlines() == [
        "ours 3 portal 3",
        "missing 1",
        f"  missing {lacking.code} (requeued)",
        "extra 1",
        "  extra 000.00.99.H42-261123-0001",
        "differing 1",
        # (NgayTiepNhan is in both: the submission time before the receipt, received the same minute)
        f"  differing {older.code}: TrangThaiHoSo: ours 2 portal 1",
        "RESULT differences",
    ]
    assert portal.calls[-1].request.url == f"{HOLDINGS}?tu_ngay=20261123&den_ngay=20261123"
    assert list(
        OutboxRow.objects.filter(dossier=lacking, target=Target.DVCQG_HOSO)
        .order_by("id")
        .values_list("state", flat=True)
    ) == ["superseded", "pending"]
    requeued = OutboxRow.objects.filter(dossier=lacking, target=Target.DVCQG_HOSO).order_by("id").last()
    assert (requeued.state, requeued.sequence, requeued.payload) == ("pending", 1, dossier_record(lacking))
    assert requeued.idempotency_key == f"dvcqg_hoso:{lacking.code}:1:r20261123020000000000"


def test_reconciliation_refuses_a_range_backwards(db):
    with pytest.raises(CommandError, match="--to phải từ --from trở đi."):
        call_command("reconcile_national_portal", "--from", "2026-11-24", "--to", "2026-11-23")


@time_machine.travel(at(23, 9), tick=False)
def test_reconciliation_compares_every_dossier_across_chunks(office, portal, monkeypatch):
    # given five dossiers the portal does not hold, walked two at a time
    monkeypatch.setattr("emc_sync.reconciliation.RECONCILE_CHUNK", 2)
    codes = sorted(submit(office).code for _ in range(5))
    portal.get(HOLDINGS, json={"error_code": "0", "items": []})

    # when
    report = reconcile(date_from=at(23, 9).date(), date_to=at(23, 9).date())

    # then every one is found missing, in code order
    assert (report.ours, report.missing) == (5, codes)
