import datetime as dt
import re
import urllib.parse
import warnings
from pathlib import Path

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossiers.constants import Channel
from dossiers.models import Dossier, DossierEvent
from dossiers.services import dossier_act, dossier_submit
from eforms.services import form_draft_save, form_version_clone, form_version_publish, form_version_update
from tests.factories import AgencyFactory, DossierFactory, UserFactory
from workflows.constants import Action, Status


def login(client, office, role="reception_officer"):
    client.force_login(office["people"][role])


def test_queue_is_for_officers_only(client, office):
    url = reverse("dossiers:queue")
    assert client.get(url).status_code == 302
    client.force_login(office["people"]["citizen"])
    assert client.get(url).status_code == 403


def test_queue_tabs(client, office):
    now = timezone.now()
    new = DossierFactory(procedure=office["procedure"], agency=office["agency"], due_at=now + dt.timedelta(days=9))
    late = DossierFactory(
        procedure=office["procedure"],
        agency=office["agency"],
        status=Status.RECEIVED,
        due_at=now - dt.timedelta(days=2),
    )
    elsewhere = DossierFactory(procedure=office["procedure"], agency=AgencyFactory(code="000.00.99.H42"), due_at=now)
    login(client, office)

    to_receive = client.get(reverse("dossiers:queue"), {"hang": "cho-tiep-nhan"}).content.decode()
    overdue = client.get(reverse("dossiers:queue"), {"hang": "qua-han"}).content.decode()

    assert new.code in to_receive
    assert late.code not in to_receive
    assert late.code in overdue
    assert new.code not in overdue
    assert "Quá hạn" in overdue
    assert elsewhere.code not in to_receive + overdue


def test_queue_pages_by_keyset_with_constant_queries(client, office):
    start = timezone.now()
    for i in range(25):
        DossierFactory(procedure=office["procedure"], agency=office["agency"], due_at=start + dt.timedelta(hours=i))
    login(client, office)
    url = reverse("dossiers:queue")

    client.get(url)  # the working calendar is read once per process and then cached; not per page
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url, {"hang": "cho-tiep-nhan"}).content.decode()
    next_link = re.search(r'href="\?([^"]*sau=[^"]*)"', first).group(1).replace("&amp;", "&")
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(f"{url}?{next_link}").content.decode()

    assert first.count('<tr class="band-') == 20
    assert second.count('<tr class="band-') == 5
    assert len(first_queries) == len(second_queries)
    assert "OFFSET" not in " ".join(q["sql"] for q in second_queries.captured_queries).upper()


def test_queue_cursor_without_offset_reads_as_utc(client, office):
    """A cursor typed or cut short without its +00:00 (naive) pages like the one the link gives,
    rather than comparing a naive datetime with due_at."""
    start = timezone.now().replace(microsecond=0)
    for i in range(25):
        DossierFactory(procedure=office["procedure"], agency=office["agency"], due_at=start + dt.timedelta(hours=i))
    login(client, office)
    url = reverse("dossiers:queue")
    first = client.get(url, {"hang": "cho-tiep-nhan"}).content.decode()
    cursor = re.search(r"sau=([^\"&]+)", first).group(1)
    assert cursor.endswith("%2B00%3A00" + cursor[cursor.index("%7C") :])
    naive = cursor.replace("%2B00%3A00", "")

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        second = client.get(url, {"hang": "cho-tiep-nhan", "sau": urllib.parse.unquote(naive)}).content.decode()

    assert second.count('<tr class="band-') == 5


def test_dossier_of_another_agency_is_404(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=AgencyFactory(code="000.00.99.H42"))
    login(client, office)

    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    response = client.post(reverse("dossiers:act", args=[dossier.code]), {"action": "receive"})
    assert response.status_code == 404
    assert not DossierEvent.objects.exists()


def test_receive_from_the_dossier_page_and_a_double_click_counts_once(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    login(client, office)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    form = {"action": "receive", "comment": "", "expected_sequence": "0", "idempotency_key": key}

    first = client.post(reverse("dossiers:act", args=[dossier.code]), form, follow=True)
    second = client.post(reverse("dossiers:act", args=[dossier.code]), form, follow=True)

    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1
    assert "Đã thực hiện: Tiếp nhận hồ sơ." in first.content.decode()
    assert second.status_code == 200


def test_a_stale_page_gets_a_clear_message_and_changes_nothing(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    colleague = UserFactory(role="reception_officer", full_name="Lê Thị Cúc", agencies=[office["agency"]])
    client.force_login(colleague)
    client.post(
        reverse("dossiers:act", args=[dossier.code]),
        {"action": "receive", "expected_sequence": "0", "idempotency_key": "a" * 32},
    )
    login(client, office)

    response = client.post(
        reverse("dossiers:act", args=[dossier.code]),
        {"action": "refuse", "comment": "Thiếu giấy tờ", "expected_sequence": "0", "idempotency_key": "b" * 32},
        follow=True,
    )

    assert "Hồ sơ vừa được Lê Thị Cúc cập nhật lúc" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_refusing_without_a_reason_is_refused_with_a_message(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    login(client, office)

    response = client.post(
        reverse("dossiers:act", args=[dossier.code]),
        {"action": "refuse", "comment": "", "expected_sequence": "0", "idempotency_key": "c" * 32},
        follow=True,
    )

    assert "Vui lòng nhập lý do, nội dung cho thao tác “từ chối tiếp nhận”." in response.content.decode()
    assert not DossierEvent.objects.exists()


def test_malformed_action_post_is_a_message_not_an_error(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    login(client, office)

    response = client.post(reverse("dossiers:act", args=[dossier.code]), {"action": "nuke"}, follow=True)

    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert not DossierEvent.objects.exists()


def test_walk_in_intake_receives_at_once_and_a_resend_makes_one_dossier(client, office):
    login(client, office)
    url = reverse("dossiers:intake")
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    form = {
        "procedure": office["procedure"].pk,
        "applicant_name": "  Nguyễn   Thị Ánh Dương ",
        "applicant_id_number": "037190004321",
        "applicant_phone": "0912345678",
        "summary": "Đề nghị cấp bản sao",
        "idempotency_key": key,
    }

    first = client.post(url, form)
    second = client.post(url, form)

    dossier = Dossier.objects.get()
    assert first.url == second.url == reverse("dossiers:detail", args=[dossier.code])
    assert (dossier.channel, dossier.status, dossier.applicant_name) == (
        "direct",
        Status.RECEIVED,
        "Nguyễn Thị Ánh Dương",
    )
    assert dossier.handler == office["people"]["reception_officer"]


def test_walk_in_intake_validates_the_id_number(client, office):
    login(client, office)

    response = client.post(
        reverse("dossiers:intake"),
        {
            "procedure": office["procedure"].pk,
            "applicant_name": "An",
            "applicant_id_number": "123",
            "idempotency_key": "k",
        },
    )

    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in response.content.decode()
    assert not Dossier.objects.exists()


def test_only_reception_officers_take_in_dossiers(client, office):
    login(client, office, role="specialist")

    assert client.get(reverse("dossiers:intake")).status_code == 403


def test_bulk_receive_receives_each_and_lists_what_failed(client, office):
    fresh = [DossierFactory(procedure=office["procedure"], agency=office["agency"]) for _ in range(2)]
    already = DossierFactory(procedure=office["procedure"], agency=office["agency"], status=Status.RECEIVED)
    foreign = DossierFactory(procedure=office["procedure"], agency=AgencyFactory(code="000.00.99.H42"))
    login(client, office)

    response = client.post(
        reverse("dossiers:bulk_receive"), {"codes": [d.code for d in (*fresh, already, foreign)]}, follow=True
    )

    html = response.content.decode()
    assert "Đã tiếp nhận 2 hồ sơ." in html
    assert f"{already.code}: Không thể “tiếp nhận hồ sơ” khi hồ sơ đang ở trạng thái “Được tiếp nhận”." in html
    assert f"{foreign.code}: Không tìm thấy hồ sơ." in html
    for dossier in fresh:
        dossier.refresh_from_db()
        assert dossier.status == Status.RECEIVED
    foreign.refresh_from_db()
    assert foreign.status == Status.NEW


def test_receipt_prints_at_the_desk_and_outsiders_get_404(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    login(client, office)
    client.post(
        reverse("dossiers:act", args=[dossier.code]),
        {"action": "receive", "expected_sequence": "0", "idempotency_key": "d" * 32},
    )

    response = client.get(reverse("dossiers:document", args=[dossier.code, "01"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert dossier.documents.count() == 1
    client.get(reverse("dossiers:document", args=[dossier.code, "01"]))
    assert dossier.documents.count() == 1  # issued once, whatever the clicks
    client.force_login(UserFactory(role="reception_officer", agencies=[AgencyFactory(code="000.00.98.H42")]))
    assert client.get(reverse("dossiers:document", args=[dossier.code, "01"])).status_code == 404


def test_apology_records_an_event_with_the_new_date(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], status=Status.PROCESSING)
    login(client, office, role="specialist")
    new_due = (dossier.due_at + dt.timedelta(days=3)).astimezone(timezone.get_current_timezone())

    response = client.post(
        reverse("dossiers:apologise", args=[dossier.code]),
        {"new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"), "reason": "Cần xác minh thêm tại địa phương"},
        follow=True,
    )

    assert "Đã ghi nhận thư xin lỗi" in response.content.decode()
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.comment) == ("apologise", "Cần xác minh thêm tại địa phương")
    assert event.data["new_due_at"].startswith(new_due.strftime("%Y-%m-%dT%H:%M"))


def test_apology_date_must_be_after_the_due_date(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], status=Status.PROCESSING)
    login(client, office, role="specialist")
    earlier = (dossier.due_at - dt.timedelta(days=1)).astimezone(timezone.get_current_timezone())

    response = client.post(
        reverse("dossiers:apologise", args=[dossier.code]),
        {"new_due_at": earlier.strftime("%Y-%m-%dT%H:%M"), "reason": "Lý do"},
        follow=True,
    )

    assert "Ngày hẹn mới phải sau ngày hẹn trả hiện tại." in response.content.decode()
    assert not DossierEvent.objects.exists()


def test_dossier_page_lists_issued_documents(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    dossier.documents.create(kind="02", file="x.pdf", sha256="0" * 64)
    login(client, office)

    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()

    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)" in html


def test_form_data_renders_with_the_labels_of_the_version_it_was_filled_with(client, office):
    schema = {
        "steps": [
            {
                "key": "buoc_1",
                "title": "Người khai",
                "fields": [
                    {"key": "ho_ten", "type": "text", "label": "Họ và tên người khai"},
                    {"key": "gioi_tinh", "type": "radio", "label": "Giới tính",
                     "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
                ],
            }
        ]
    }  # fmt: skip
    first = form_version_publish(version=form_draft_save(procedure=office["procedure"], schema=schema))
    dossier = dossier_submit(
        procedure=office["procedure"], agency=office["agency"], channel="online", applicant_name="An",
        form_version=first, form_data={"ho_ten": "Nguyễn Thị Ánh Dương", "gioi_tinh": "nu"},
    )  # fmt: skip
    schema["steps"][0]["fields"][0]["label"] = "Tên đầy đủ"
    draft = form_version_clone(version=first)
    form_version_update(version=draft, schema=schema)
    form_version_publish(version=draft)
    login(client, office)

    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()

    assert "Họ và tên người khai" in html
    assert "Tên đầy đủ" not in html
    assert "Nữ" in html
    assert "Nguyễn Thị Ánh Dương" in html


def test_a_refusal_reads_as_an_error_not_as_a_success(client, office):
    # given an officer who refuses a dossier without the reason the law wants, then receives it
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    client.force_login(office["people"]["reception_officer"])
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    form = {"comment": "", "expected_sequence": "0", "idempotency_key": key}

    refused = client.post(reverse("dossiers:act", args=[dossier.code]), {**form, "action": "refuse"}, follow=True)
    done = client.post(reverse("dossiers:act", args=[dossier.code]), {**form, "action": "receive"}, follow=True)

    # then the refusal is in the error banner, named as such; the success stays green
    assert '<p class="message message-error"><strong>Không thực hiện được:</strong> Vui lòng nhập lý do' in (
        refused.content.decode()
    )
    assert '<p class="message message-success">Đã thực hiện: Tiếp nhận hồ sơ.</p>' in done.content.decode()
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    assert re.search(r"\.messages \.message-error \{[^}]*background: #fbeaea", css)


def test_officer_and_citizen_see_how_the_due_date_was_computed(client, office):
    # given: received at the desk Fri 27/11/2026 16:00 (5 working days), a supplement over the weekend
    people = office["people"]
    vn = dt.timezone(dt.timedelta(hours=7))
    with time_machine.travel(dt.datetime(2026, 11, 27, 16, 0, tzinfo=vn), tick=False):
        dossier = dossier_submit(
            procedure=office["procedure"], agency=office["agency"], channel=Channel.DIRECT,
            applicant=people["citizen"], applicant_name="Nguyễn Văn An", actor=people["reception_officer"],
        )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 12, 3, 16, 0, tzinfo=vn), tick=False):
        dossier_act(
            dossier_id=dossier.pk, actor=people["reception_officer"], action=Action.REQUEST_SUPPLEMENT,
            comment="Bổ sung bản sao",
        )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 0, tzinfo=vn), tick=False):
        dossier = dossier_act(dossier_id=dossier.pk, actor=people["citizen"], action=Action.PROVIDE_SUPPLEMENT)
    # Fri 27/11 16:00 + 40 h → Fri 4/12 16:00; paused Thu 16:00 → Mon 08:00 = 10 working hours:
    # Fri 4/12 16:00 + 10 h = Fri 17:00 (1 h), Mon 7/12 (8 h), Tue 8/12 07:00 + 1 h = 08:00
    assert dossier.due_at == dt.datetime(2026, 12, 8, 8, 0, tzinfo=vn)

    # when
    client.force_login(people["reception_officer"])
    officer_page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    client.force_login(people["citizen"])
    citizen_page = client.get(reverse("dossiers:my_dossier", args=[dossier.code])).content.decode()

    # then
    for html in (officer_page, citizen_page):
        assert 'id="cach-tinh-han"' in html
        assert "Tiếp nhận hồ sơ lúc 16:00 thứ Sáu 27/11/2026." in html
        assert "Bỏ qua 2 ngày thứ Bảy, Chủ nhật: 28/11, 29/11." in html
        assert "Hạn giải quyết tính được: 16:00 thứ Sáu 04/12/2026." in html
        assert "10 giờ làm việc" in html
        assert "Hẹn trả kết quả: 08:00 thứ Ba 08/12/2026." in html
        assert "khác kết quả tính lại" not in html
