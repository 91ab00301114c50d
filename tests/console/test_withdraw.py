"""Taking an online service back to information only: what stops, what goes on, what is logged."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from accounts.constants import Role
from console.constants import ConfigState
from console.models import ServiceChange, ServiceConfig
from console.services import (
    NotOnline,
    WithdrawReasonRequired,
    service_config_draft_start,
    service_config_publish,
    service_online_withdraw,
)
from dossiers.drafts.services import draft_start, draft_submit
from dossiers.exceptions import DraftIncomplete
from dossiers.models import Dossier, DossierDraft
from procedures.constants import Channel, OnlineLevel
from procedures.models import Procedure
from tests.factories import DossierFactory, UserFactory
from workflows.constants import Status

pytestmark = pytest.mark.django_db
REASON = "Tạm dừng để nâng cấp phần mềm một cửa của Sở"


def test_the_service_goes_back_to_information_only_and_the_version_in_force_is_retired(procedure, admin):
    # given version 1 published (online, paper also taken at the desk)
    service_config_draft_start(procedure=procedure, actor=admin)
    v1 = service_config_publish(procedure=procedure, actor=admin)
    assert Channel.ONLINE in Procedure.objects.get(pk=procedure.pk).channels

    # when
    service_online_withdraw(procedure=procedure, reason=f"  {REASON}\n", actor=admin)

    # then
    procedure.refresh_from_db()
    v1.refresh_from_db()
    assert (procedure.online_level, procedure.is_published) == (OnlineLevel.INFORMATION, True)
    assert procedure.channels == [Channel.DIRECT]
    assert v1.state == ConfigState.RETIRED
    change = ServiceChange.objects.get(step="ngung")
    assert (change.config, change.actor, change.field, change.before, change.after) == (
        v1,
        admin,
        f"Ngừng cung cấp trực tuyến: {REASON}",
        "Toàn trình",
        "Chỉ cung cấp thông tin",
    )
    assert LogEntry.objects.filter(change_message__startswith="Ngừng cung cấp dịch vụ trực tuyến").count() == 1


def test_a_service_put_online_before_the_console_is_withdrawn_too(procedure, admin):
    # given: online in the catalogue, no configuration ever published
    service_online_withdraw(procedure=procedure, reason=REASON, actor=admin)

    procedure.refresh_from_db()
    assert procedure.online_level == OnlineLevel.INFORMATION
    assert ServiceChange.objects.get(step="ngung").config is None


def test_filed_dossiers_go_on_and_unsent_drafts_are_refused_with_the_reason(procedure, admin):
    # given a dossier being processed and a citizen's draft
    filed = DossierFactory(procedure=procedure, status=Status.PROCESSING)
    citizen = UserFactory(role=Role.CITIZEN)
    draft = draft_start(owner=citizen, procedure=procedure)

    # when
    service_online_withdraw(procedure=procedure, reason=REASON, actor=admin)

    # then: the filed dossier is untouched; the draft can no longer become a dossier
    assert Dossier.objects.get(pk=filed.pk).status == Status.PROCESSING
    with pytest.raises(DraftIncomplete) as refused:
        draft_submit(draft=draft, declaration=True)
    assert "Thủ tục này hiện không nhận hồ sơ trực tuyến. Hồ sơ đang soạn vẫn được giữ;" in " ".join(
        refused.value.errors
    )
    assert DossierDraft.objects.filter(pk=draft.pk).exists()
    assert Dossier.objects.count() == 1


def test_a_draft_in_progress_stays_for_a_later_publication(procedure, admin):
    service_config_draft_start(procedure=procedure, actor=admin)
    service_config_publish(procedure=procedure, actor=admin)
    draft = service_config_draft_start(procedure=procedure, actor=admin)

    service_online_withdraw(procedure=procedure, reason=REASON, actor=admin)
    service_config_publish(procedure=procedure, actor=admin)

    procedure.refresh_from_db()
    assert ServiceConfig.objects.get(pk=draft.pk).state == ConfigState.PUBLISHED
    assert procedure.online_level == OnlineLevel.FULL
    assert Channel.ONLINE in procedure.channels


def test_without_a_reason_or_when_not_online_nothing_changes(procedure, admin):
    before = Procedure.objects.filter(pk=procedure.pk).values().get()

    with pytest.raises(WithdrawReasonRequired):
        service_online_withdraw(procedure=procedure, reason="   ", actor=admin)
    service_online_withdraw(procedure=procedure, reason=REASON, actor=admin)
    after_first = Procedure.objects.filter(pk=procedure.pk).values().get()
    with pytest.raises(NotOnline):
        service_online_withdraw(procedure=procedure, reason=REASON, actor=admin)

    assert before["online_level"] == OnlineLevel.FULL
    assert Procedure.objects.filter(pk=procedure.pk).values().get() == after_first
    assert ServiceChange.objects.filter(step="ngung").count() == 1


def test_the_overview_page_withdraws_with_a_message(client, procedure, admin):
    client.force_login(admin)
    overview = reverse("console:overview", args=[procedure.code])
    assert "Ngừng cung cấp trực tuyến" in client.get(overview).content.decode()

    empty = client.post(reverse("console:withdraw", args=[procedure.code]), {"reason": ""}, follow=True)
    assert "Vui lòng nêu lý do ngừng cung cấp dịch vụ trực tuyến." in empty.content.decode()
    done = client.post(reverse("console:withdraw", args=[procedure.code]), {"reason": REASON}, follow=True)

    body = done.content.decode()
    assert "Đã ngừng cung cấp trực tuyến." in body
    assert f"Ngừng cung cấp trực tuyến: {REASON}" in body  # in the change log
    assert 'action="/quan-tri/dich-vu/2.000552/ngung-truc-tuyen/"' not in body  # nothing left to withdraw


def test_only_province_admins_may_withdraw(client, procedure):
    client.force_login(UserFactory(role=Role.LEADER))

    response = client.post(reverse("console:withdraw", args=[procedure.code]), {"reason": REASON})

    assert response.status_code == 403
    assert Procedure.objects.get(pk=procedure.pk).online_level == OnlineLevel.FULL
