import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.constants import Role
from emc_sync.constants import OutboxState, Target
from emc_sync.exceptions import NothingToResend, SyncNotAllowed
from emc_sync.models import OutboxRow
from emc_sync.services import outbox_resend
from tests.factories import UserFactory

from .conftest import submit


def outbox():
    return list(OutboxRow.objects.order_by("id").values("id", "state", "next_attempt_at", "attempts"))


@pytest.fixture
def refused(office):
    """A dossier whose EMC event was refused (HTTP 400), and the others delivered."""
    submit(office)
    OutboxRow.objects.exclude(target=Target.EMC).update(state=OutboxState.DELIVERED)
    OutboxRow.objects.filter(target=Target.EMC).update(
        state=OutboxState.FAILED, attempts=1, last_status_code=400, last_response='{"error_code": "1"}'
    )
    return OutboxRow.objects.get(target=Target.EMC)


def test_a_province_admin_resends_a_refused_row_and_it_is_audited(client, refused):
    # given a province admin on the sync page
    admin = UserFactory(province_admin=True)
    client.force_login(admin)
    page = client.get(reverse("emc_sync:summary"))
    assert page.status_code == 200
    assert refused.idempotency_key in page.content.decode()

    # when they resend it
    response = client.post(reverse("emc_sync:resend"), {"row": [refused.pk]})

    # then it is due again and the audit trail says who resent what
    assert response.status_code == 302
    refused.refresh_from_db()
    assert (refused.state, refused.attempts) == ("pending", 1)
    entry = LogEntry.objects.get()
    assert (entry.user_id, entry.object_id, entry.change_message) == (
        admin.pk, str(refused.pk), f"Gửi lại {refused.idempotency_key} (lần gửi trước: 400 )",
    )  # fmt: skip


def test_bulk_resend_takes_every_refused_row_of_a_target(client, refused):
    client.force_login(UserFactory(province_admin=True))

    client.post(reverse("emc_sync:resend"), {"all": Target.EMC})

    assert OutboxRow.objects.filter(state=OutboxState.FAILED).count() == 0
    assert LogEntry.objects.count() == 1


@pytest.mark.parametrize("role", [Role.RECEPTION_OFFICER, Role.CITIZEN])
def test_others_can_neither_see_nor_resend(client, refused, role):
    # given an officer or a citizen
    client.force_login(UserFactory(role=role))
    before = outbox()

    # when they open the page or post a resend
    page = client.get(reverse("emc_sync:summary"))
    response = client.post(reverse("emc_sync:resend"), {"row": [refused.pk]})

    # then both are forbidden and nothing changed
    assert (page.status_code, response.status_code) == (403, 403)
    assert outbox() == before
    assert LogEntry.objects.count() == 0


def test_the_service_refuses_non_admins_and_rows_not_refused(office, refused):
    before = outbox()

    with pytest.raises(SyncNotAllowed):
        outbox_resend(actor=office["people"][Role.RECEPTION_OFFICER], row_ids=[refused.pk])
    delivered = OutboxRow.objects.filter(state=OutboxState.DELIVERED).values_list("id", flat=True)
    with pytest.raises(NothingToResend):
        outbox_resend(actor=UserFactory(province_admin=True), row_ids=list(delivered))

    assert outbox() == before
    assert LogEntry.objects.count() == 0


def test_the_summary_counts_per_target(client, office):
    # given two dossiers: records delivered, progress pending, EMC refused
    submit(office)
    submit(office)
    OutboxRow.objects.filter(target=Target.DVCQG_HOSO).update(
        state=OutboxState.DELIVERED, delivered_at=OutboxRow.objects.first().created_at
    )
    OutboxRow.objects.filter(target=Target.EMC).update(state=OutboxState.FAILED)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    # when the page is read
    summaries = {s.target: s for s in client.get(reverse("emc_sync:summary")).context["summaries"]}

    # then
    hoso, tiendo, emc = summaries["dvcqg_hoso"], summaries["dvcqg_tiendo"], summaries["emc"]
    assert (hoso.pending, hoso.delivered_last_minute, hoso.delivered_last_hour, hoso.failed) == (0, 2, 2, 0)
    assert (tiendo.pending, tiendo.failed, emc.pending, emc.failed) == (2, 0, 0, 2)
    assert tiendo.oldest_pending_age is not None


def test_every_page_carries_the_emc_tracking_snippet(client, settings, db):
    settings.EMC_TRACKING_ENABLED = True
    settings.EMC_TRACKING_URL = "http://emc.test/emc"  # the browser's address of EMC (EMC_URL is the workers')
    settings.EMC_SITE_ID = "site-37"

    html = client.get(reverse("home")).content.decode()

    assert (
        '<script async src="http://emc.test/emc/tracking.js?site_id=site-37" data-site-id="site-37" data-emc-tracking></script>'
        in html
    )


def test_the_summary_page_costs_the_same_queries_however_many_rows(client, office, django_assert_num_queries):
    # given many dossiers with refused EMC events
    for _ in range(5):
        submit(office)
    OutboxRow.objects.filter(target=Target.EMC).update(state=OutboxState.FAILED)
    client.force_login(UserFactory(province_admin=True))

    # when the page is read, then: session, user, two summary queries, failed rows, inbound failures
    with django_assert_num_queries(6):
        assert client.get(reverse("emc_sync:summary")).status_code == 200


def test_a_quarantined_message_is_shown_with_its_reason_and_retried_from_the_page(client, office, portal):
    from dossiers.models import Dossier
    from emc_sync.inbound import inbound_poll
    from emc_sync.models import InboundFailure
    from tests.factories import ProcedureFactory, WorkflowVersionFactory

    from .test_inbound import FEED, filed, page

    # given a forwarded dossier quarantined for a procedure the catalogue does not have yet
    portal.get(FEED, json=page(filed("G01.2026.77", procedure="1.000077")))
    inbound_poll()
    admin = UserFactory(province_admin=True)
    client.force_login(admin)
    shown = client.get(reverse("emc_sync:summary")).content.decode()
    assert "G01.2026.77" in shown
    assert "Không có thủ tục mã 1.000077 trong danh mục của tỉnh." in shown
    failure = InboundFailure.objects.get()

    # when the procedure is added and the admin retries it from the page
    WorkflowVersionFactory(procedure=ProcedureFactory(code="1.000077", agencies=[office["agency"]]))
    response = client.post(reverse("emc_sync:inbound_retry"), {"failure": [failure.pk]})

    # then taken in, the retry audited, the message kept as resolved (never dropped)
    assert response.status_code == 302
    assert Dossier.objects.get().code == "G01.2026.77"
    failure.refresh_from_db()
    assert failure.resolved_at is not None
    assert LogEntry.objects.get().change_message.startswith("Thử lại bản tin HoSo của G01.2026.77")
