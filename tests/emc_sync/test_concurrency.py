import threading

import pytest
from django.db import connection, connections, transaction

from emc_sync.constants import OutboxState, Target
from emc_sync.delivery import outbox_claim
from emc_sync.models import OutboxRow

from .conftest import submit

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_claimers_at_once_take_disjoint_rows(office):
    # given ten dossiers with one EMC event each to send
    for _ in range(10):
        submit(office)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    claimed_a: list[int] = []
    claimed_b: list[int] = []
    a_holds, b_done = threading.Event(), threading.Event()

    def first_worker():
        try:
            # claims inside a transaction it keeps open while the second worker claims
            with transaction.atomic():
                _token, rows, _ = outbox_claim(max_rows=2)
                claimed_a.extend(row.pk for row in rows)
                a_holds.set()
                b_done.wait(10)
        finally:
            connections.close_all()

    def second_worker():
        try:
            a_holds.wait(10)
            _token, rows, _ = outbox_claim(max_rows=10)
            claimed_b.extend(row.pk for row in rows)
        finally:
            b_done.set()
            connections.close_all()

    # when both claim at the same time
    threads = [threading.Thread(target=first_worker), threading.Thread(target=second_worker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    _token, rest, _ = outbox_claim(max_rows=10)

    # then the second skipped the rows the first held locked (without waiting), and nothing was taken twice
    assert (len(claimed_a), len(claimed_b), len(rest)) == (2, 4, 4)
    everyone = claimed_a + claimed_b + [row.pk for row in rest]
    assert sorted(everyone) == sorted(OutboxRow.objects.filter(target=Target.EMC).values_list("id", flat=True))
    assert OutboxRow.objects.filter(state=OutboxState.SENDING).count() == 10
