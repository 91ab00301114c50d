"""Two deliveries of the same dossier at the same moment: one applies, nothing is doubled."""

import threading

import pytest
from django.db import close_old_connections, connection

from emc_sync.mock_portal import records
from emc_sync.mock_portal.models import PortalDossier, ReceivedRecord

from .conftest import dossier


def at_once(*calls):
    start = threading.Barrier(len(calls))
    answers = []

    def run(call):
        try:
            start.wait()
            answers.append(call().error_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(answers)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (the test database on SQLite is one connection)")


@pytest.mark.django_db(transaction=True)  # one test: each transactional test empties every table
def test_racing_deliveries_apply_once(postgres_only):
    # when: the same record offered twice at once, then two records of one dossier at once
    same_key = at_once(*[lambda: records.dossiers_add(records=[dossier("A")], keys=["k-1"])] * 2)
    same_dossier = at_once(
        lambda: records.dossiers_add(records=[dossier("B")], keys=["k-2"]),
        lambda: records.dossiers_add(records=[dossier("B", TrangThaiHoSo=4)], keys=["k-3"]),
    )

    # then
    assert same_key == ["0", "0"]
    assert same_dossier == ["0", "2"]
    assert list(ReceivedRecord.objects.values_list("ma_ho_so", "times_offered")) == [("A", 2), ("B", 1)]
    assert list(PortalDossier.objects.order_by("ma_ho_so").values_list("ma_ho_so", flat=True)) == ["A", "B"]
