"""Two officers click at the same moment: one wins, the other is told, nothing is doubled."""

import threading

import pytest
from django.db import close_old_connections, connection

from common.errors import DomainError
from dossiers.models import DossierEvent
from dossiers.services import dossier_act
from tests.factories import DossierFactory, UserFactory
from workflows.constants import Action, Status


@pytest.mark.django_db(transaction=True)
def test_two_officers_receiving_at_once_write_exactly_one_event(office):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    officers = [
        office["people"]["reception_officer"],
        UserFactory(role="reception_officer", agencies=[office["agency"]]),
    ]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def act(officer, action, comment):
        try:
            start.wait()
            dossier_act(dossier_id=dossier.pk, actor=officer, action=action, comment=comment, expected_sequence=0)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=act, args=(officers[0], Action.RECEIVE, "")),
        threading.Thread(target=act, args=(officers[1], Action.REFUSE, "Hồ sơ không hợp lệ")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["DossierChangedMeanwhile", "ok"]
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.status in (Status.RECEIVED, Status.REFUSED)
