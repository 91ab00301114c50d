import datetime as dt

import pytest
import time_machine

from emc_sync.constants import OutboxState, Target
from emc_sync.models import OutboxRow
from tests.factories import DossierFactory
from workflows.constants import Status

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)


def _outbox_row(dossier, *, target: str, sequence: int, created_at: dt.datetime, state: str = OutboxState.PENDING):
    return OutboxRow.objects.create(
        target=target, dossier=dossier, sequence=sequence, idempotency_key=f"{target}-{dossier.pk}-{sequence}",
        payload={}, state=state, created_at=created_at,
    )  # fmt: skip


def _samples(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("dvctt_")
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_metrics_from_loopback_show_the_backlog_and_the_dossiers_waiting_for_reception(client):
    # given: two dossiers waiting for reception, one already received
    waiting = DossierFactory(status=Status.NEW)
    DossierFactory(status=Status.NEW)
    DossierFactory(status=Status.RECEIVED)
    _outbox_row(waiting, target=Target.DVCQG_HOSO, sequence=1, created_at=NOW - dt.timedelta(seconds=90))
    _outbox_row(waiting, target=Target.DVCQG_HOSO, sequence=2, created_at=NOW - dt.timedelta(seconds=30))
    _outbox_row(
        waiting, target=Target.EMC, sequence=1, created_at=NOW - dt.timedelta(seconds=5), state=OutboxState.FAILED
    )

    # when
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    # then
    assert response.status_code == 200
    samples = _samples(response.content.decode())
    assert {name: value for name, value in samples.items() if name.startswith("dvctt_outbox")} == {
        'dvctt_outbox_pending{target="dvcqg_hoso"}': 2.0,
        'dvctt_outbox_pending{target="dvcqg_tiendo"}': 0.0,
        'dvctt_outbox_pending{target="emc"}': 0.0,
        'dvctt_outbox_oldest_pending_age_seconds{target="dvcqg_hoso"}': 90.0,
        'dvctt_outbox_oldest_pending_age_seconds{target="dvcqg_tiendo"}': 0.0,
        'dvctt_outbox_oldest_pending_age_seconds{target="emc"}': 0.0,
        'dvctt_outbox_failed{target="dvcqg_hoso"}': 0.0,
        'dvctt_outbox_failed{target="dvcqg_tiendo"}': 0.0,
        'dvctt_outbox_failed{target="emc"}': 1.0,
    }
    assert samples["dvctt_dossiers_waiting_reception"] == 2.0
    # django-prometheus's own request metrics are there too
    assert "django_http_requests_before_middlewares_total" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote", "forwarded"),
    [("203.0.113.7", ""), ("10.0.5.8", ""), ("127.0.0.1", "203.0.113.7"), ("127.0.0.1", "127.0.0.1, 203.0.113.7")],
)
def test_metrics_are_404_for_anyone_else(client, settings, remote, forwarded):
    # given: the proxy (loopback) forwards the outside client; a forged first entry changes nothing
    settings.METRICS_ALLOWED_IPS = ["10.0.5.7"]
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}

    # when
    response = client.get("/metrics", REMOTE_ADDR=remote, headers=headers)

    # then
    assert response.status_code == 404
    assert b"dvctt_outbox" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("remote", ["10.0.5.7", "10.0.6.200", "::1"])
def test_metrics_answer_the_allowed_addresses_and_networks(client, settings, remote):
    # given
    settings.METRICS_ALLOWED_IPS = ["10.0.5.7", "10.0.6.0/24"]

    # when
    response = client.get("/metrics", REMOTE_ADDR=remote)

    # then
    assert response.status_code == 200
    assert b"dvctt_dossiers_waiting_reception 0.0" in response.content
