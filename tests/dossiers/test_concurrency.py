"""Two officers click at the same moment: one wins, the other is told, nothing is doubled."""

import threading

import pytest
from django.db import close_old_connections, connection

from common.errors import DomainError
from dossiers.constants import Channel
from dossiers.models import Dossier, DossierEvent
from dossiers.services import dossier_act, dossier_submit
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


@pytest.mark.django_db(transaction=True)
def test_a_double_click_arriving_twice_at_once_writes_one_event(office):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL")
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], status=Status.PROCESSING,
                             step_key="tham_dinh", step_role="specialist")  # fmt: skip
    specialist = office["people"]["specialist"]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def click():
        try:
            start.wait()
            dossier_act(dossier_id=dossier.pk, actor=specialist, action=Action.CONSULT, idempotency_key="same-click")
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 - any failure is the bug this test looks for
            outcomes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["ok", "ok"]
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_submission_sent_twice_at_once_makes_one_dossier(office):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    start = threading.Barrier(2)
    codes: list[str] = []

    def submit():
        try:
            start.wait()
            dossier = dossier_submit(
                procedure=office["procedure"], agency=office["agency"], channel=Channel.ONLINE,
                applicant=office["people"]["citizen"], applicant_name="Nguyễn Văn An", idempotency_key="form-token-1",
            )  # fmt: skip
            codes.append(dossier.code)
        except Exception as exc:  # noqa: BLE001 - any failure is the bug this test looks for
            codes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(set(codes)) == 1
    assert codes[0].startswith("000.00.12.H42-")
    assert Dossier.objects.count() == 1
