import datetime as dt
import hashlib
import hmac
import html
import json
import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import requests
import responses
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from dossiers.constants import PaymentStatus
from dossiers.models import DossierDraft, Payment, PaymentNotification
from dossiers.payments.selectors import payment_state_for_draft
from dossiers.payments.services import payment_attach_to_dossier, payment_start
from dvctt.celery import app as celery_app
from tests.dossiers.payments.conftest import QUERY_URL, VN, pdf_text, sign
from tests.factories import AgencyFactory, DossierFactory, FeeFactory, UserFactory

NOTIFY = "/thanh-toan/thong-bao/"
RETURN = "/thanh-toan/ket-qua/"


@pytest.fixture(autouse=True)
def eager_tasks(monkeypatch):
    # The receipt task runs right after commit, as in the embedded default (also when REDIS_URL is set).
    monkeypatch.setattr(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", True)  # the namespaced key


@pytest.fixture
def payment(office, citizen):
    """A pending payment of 80.000 đ (100.000 đ less 20% online) for the citizen's draft."""
    FeeFactory(procedure=office["procedure"], name="Lệ phí", amount=100_000, online_discount_percent=20)
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=VN), tick=False):
        started, _url = payment_start(draft=draft, payer=citizen)
    return started


def notification(payment, **changes):
    body = {
        "merchant": "dvctt",
        "ref": payment.ref,
        "transaction_id": "GD20261123-0001",
        "amount": payment.amount,
        "status": "paid",
        "paid_at": "20261123090312",
    }
    body |= changes
    signed = ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")
    body["sig"] = sign(*(body[key] for key in signed))
    return body


def post_notification(client, body, *, raw=None):
    return client.post(
        NOTIFY,
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )


def return_query(payment, status="paid", transaction_id="GD20261123-0001"):
    return urlencode(
        {
            "ref": payment.ref,
            "transaction_id": transaction_id,
            "status": status,
            "sig": sign(payment.ref, transaction_id, status),
        }
    )


def unchanged(payment):
    fresh = Payment.objects.get(pk=payment.pk)
    return (fresh.status, fresh.transaction_id, fresh.paid_at, bool(fresh.receipt)) == (
        PaymentStatus.PENDING,
        "",
        None,
        False,
    )


# The notification.


def test_a_valid_notification_marks_the_payment_paid_and_issues_the_receipt(
    client, payment, django_capture_on_commit_callbacks
):
    # given
    body = notification(payment)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post_notification(client, body)

    # then
    assert response.status_code == 200
    assert response.json() == {"error_code": "0", "message": "Đã ghi nhận: pending → paid."}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.transaction_id == "GD20261123-0001"
    assert payment.paid_at == dt.datetime(2026, 11, 23, 9, 3, 12, tzinfo=VN)
    text = pdf_text(payment.receipt.read())
    assert "Tổng số tiền đã nộp: 80.000 đồng" in text
    assert "Mã giao dịch thanh toán: GD20261123-0001" in text
    assert "Người nộp tiền: Nguyễn Văn An" in text
    log = PaymentNotification.objects.get()
    assert (log.channel, log.accepted, log.payment, log.remote_addr) == ("notify", True, payment, "10.0.0.9")
    assert log.body == body
    assert payment_state_for_draft(draft=payment.draft).paid is True


def test_a_notification_with_a_tampered_signature_is_refused_and_logged(client, payment):
    # given a real notification whose status was changed after signing
    body = notification(payment, status="cancelled") | {"status": "paid"}

    # when
    response = post_notification(client, body)

    # then
    assert response.status_code == 400
    assert response.json() == {"error_code": "1", "message": "Chữ ký không hợp lệ: từ chối."}
    assert unchanged(payment)
    assert payment_state_for_draft(draft=payment.draft).paid is False
    log = PaymentNotification.objects.get()
    assert (log.channel, log.accepted, log.verdict, log.payment) == (
        "notify",
        False,
        "Chữ ký không hợp lệ: từ chối.",
        payment,
    )


def test_a_notification_signed_with_another_secret_is_refused(client, payment):
    # given
    body = notification(payment)
    body["sig"] = hmac.new(
        b"wrong-secret",
        "|".join(str(body[k]) for k in ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")).encode(),
        hashlib.sha256,
    ).hexdigest()

    # when
    response = post_notification(client, body)

    # then
    assert response.status_code == 400
    assert unchanged(payment)


def test_a_notification_for_another_amount_is_refused_and_logged(client, payment):
    # given a correctly signed notification of 1.000 đ for an 80.000 đ payment
    body = notification(payment, amount=1_000)

    # when
    response = post_notification(client, body)

    # then
    assert response.status_code == 400
    assert response.json()["message"] == "Số tiền 1000 khác số tiền phải nộp 80000: từ chối."
    assert unchanged(payment)
    assert PaymentNotification.objects.filter(accepted=False, payment=payment).count() == 1


def test_a_replayed_notification_changes_nothing(client, payment, django_capture_on_commit_callbacks):
    # given the notification was applied
    body = notification(payment)
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, body)
    payment.refresh_from_db()
    first = (payment.status, payment.transaction_id, payment.paid_at, payment.receipt.name)

    # when the same notification comes again, a day later
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = post_notification(client, body)

    # then
    assert response.status_code == 200
    assert response.json() == {"error_code": "0", "message": "Không thay đổi (đã ở trạng thái paid)."}
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id, payment.paid_at, payment.receipt.name) == first
    assert callbacks == []  # no second receipt
    assert list(PaymentNotification.objects.order_by("received_at").values_list("accepted", "verdict")) == [
        (True, "Đã ghi nhận: pending → paid."),
        (True, "Không thay đổi (đã ở trạng thái paid)."),
    ]


def test_a_second_transaction_for_a_paid_payment_is_refused(client, payment, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification(payment))

    # when
    response = post_notification(client, notification(payment, transaction_id="GD-KHAC"))

    # then
    assert response.status_code == 409
    payment.refresh_from_db()
    assert payment.transaction_id == "GD20261123-0001"


def test_a_notification_for_an_unknown_ref_is_refused_and_logged(client, payment):
    # given
    body = notification(payment, ref="DVC000000KHONGCO")

    # when
    response = post_notification(client, body)

    # then
    assert response.status_code == 400
    assert response.json()["message"] == "Không có giao dịch mã 'DVC000000KHONGCO'."
    assert unchanged(payment)
    log = PaymentNotification.objects.get()
    assert (log.accepted, log.payment) == (False, None)


def test_a_notification_for_another_merchant_is_refused(client, payment):
    response = post_notification(client, notification(payment, merchant="khac"))

    assert response.status_code == 400
    assert response.json()["message"] == "Sai mã đơn vị nhận tiền (merchant)."
    assert unchanged(payment)


def test_malformed_json_is_refused_with_a_message_and_logged(client, payment):
    # when
    response = post_notification(client, None, raw='{"ref": "DVC')

    # then
    assert response.status_code == 400
    assert response.json() == {"error_code": "1", "message": "Nội dung không phải JSON hợp lệ."}
    log = PaymentNotification.objects.get()
    assert (log.accepted, log.body, log.remote_addr) == (False, {"raw": '{"ref": "DVC'}, "10.0.0.9")
    assert unchanged(payment)


def test_a_json_array_is_refused(client, payment):
    response = post_notification(client, None, raw=json.dumps([notification(payment)]))

    assert response.status_code == 400
    assert response.json()["message"] == "Nội dung phải là một đối tượng JSON."
    assert unchanged(payment)


def test_the_notification_endpoint_takes_only_post(client, db):
    assert client.get(NOTIFY).status_code == 405
    assert PaymentNotification.objects.count() == 0


# The return page.


@responses.activate
def test_a_paid_return_before_the_notification_asks_the_platform(client, payment, citizen):
    # given the platform says it is paid; the notification has not arrived
    responses.get(
        QUERY_URL,
        json={
            "ref": payment.ref,
            "status": "paid",
            "transaction_id": "GD20261123-0001",
            "amount": 80_000,
            "paid_at": "20261123090312",
        },
    )
    client.force_login(citizen)

    # when
    response = client.get(f"{RETURN}?{return_query(payment)}")

    # then
    assert response.status_code == 200
    assert "Thanh toán thành công" in response.content.decode()
    assert len(responses.calls) == 1
    asked = responses.calls[0].request.params
    assert (asked["merchant"], asked["ref"]) == ("dvctt", payment.ref)
    assert asked["sig"] == sign("dvctt", payment.ref, asked["ts"])
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id) == (PaymentStatus.PAID, "GD20261123-0001")
    assert list(PaymentNotification.objects.order_by("received_at").values_list("channel", "accepted")) == [
        ("return", True),
        ("query", True),
    ]


@responses.activate
def test_a_paid_return_the_platform_does_not_confirm_stays_pending(client, payment, citizen):
    # given
    responses.get(
        QUERY_URL,
        json={"ref": payment.ref, "status": "pending", "transaction_id": "", "amount": 80_000, "paid_at": ""},
    )
    client.force_login(citizen)

    # when
    response = client.get(f"{RETURN}?{return_query(payment)}")

    # then
    assert response.status_code == 200
    assert "Đang chờ xác nhận" in response.content.decode()
    assert unchanged(payment)


@responses.activate
def test_a_cancelled_return_is_checked_and_shown(client, payment, citizen):
    # given
    responses.get(
        QUERY_URL,
        json={"ref": payment.ref, "status": "cancelled", "transaction_id": "", "amount": 80_000, "paid_at": ""},
    )
    client.force_login(citizen)

    # when
    response = client.get(f"{RETURN}?{return_query(payment, status='cancelled', transaction_id='')}")

    # then
    assert response.status_code == 200
    assert "Đã hủy thanh toán" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED


@responses.activate
def test_a_return_after_the_notification_asks_nobody(client, payment, citizen, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification(payment))
    client.force_login(citizen)

    # when
    response = client.get(f"{RETURN}?{return_query(payment)}")

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "Thanh toán thành công" in content
    assert reverse("dossiers:payment_receipt", args=[payment.ref]) in content
    assert len(responses.calls) == 0


@responses.activate
def test_a_forged_return_is_refused_without_asking_or_changing_anything(client, payment, citizen):
    # given
    client.force_login(citizen)
    forged = return_query(payment).replace("sig=", "sig=0")

    # when
    response = client.get(f"{RETURN}?{forged}")

    # then
    assert response.status_code == 400
    assert "Liên kết thanh toán không hợp lệ" in response.content.decode()
    assert len(responses.calls) == 0
    assert unchanged(payment)
    log = PaymentNotification.objects.get()
    assert (log.channel, log.accepted, log.verdict) == ("return", False, "Chữ ký không hợp lệ.")


@responses.activate
def test_another_citizen_cannot_read_the_return_page(client, payment, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification(payment))
    client.force_login(UserFactory())

    # when
    response = client.get(f"{RETURN}?{return_query(payment)}")

    # then
    assert response.status_code == 404


# Starting from the portal.


def test_the_start_page_shows_the_discounted_amount(client, payment, citizen):
    # given
    client.force_login(citizen)

    # when
    response = client.get(reverse("dossiers:payment_start", args=[payment.draft.token]))

    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert "100.000 đồng" in content
    assert "20%" in content
    assert "Tổng số tiền phải nộp: 80.000 đồng" in content


def test_the_citizen_picks_the_optional_fees_that_apply_on_the_fee_step(client, office, citizen):
    # given a procedure with an always-due fee and an optional one, and a draft without payment
    FeeFactory(procedure=office["procedure"], name="Lệ phí", amount=10_000)
    copies = FeeFactory(procedure=office["procedure"], name="Bản sao trích lục", amount=8_000, optional=True)
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"])
    client.force_login(citizen)
    url = reverse("dossiers:payment_start", args=[draft.token])

    # when
    before = client.get(url).content.decode()
    chosen = client.post(url, {"action": "fees", "fee": [str(copies.pk), "999999", "x"]})
    after = client.get(url).content.decode()

    # then
    assert "Bước 3/4" in before
    assert f'name="fee" value="{copies.pk}"' in before
    assert "Tổng số tiền phải nộp: 10.000 đồng" in before
    assert chosen.status_code == 302
    draft.refresh_from_db()
    assert draft.fees_chosen == [copies.pk]
    assert "Tổng số tiền phải nộp: 18.000 đồng" in after


def test_the_fees_cannot_change_once_a_payment_is_started(client, payment, citizen, office):
    # given the pending payment of 80.000 đ, and an optional fee added to the procedure
    copies = FeeFactory(procedure=office["procedure"], name="Bản sao trích lục", amount=8_000, optional=True)
    client.force_login(citizen)
    url = reverse("dossiers:payment_start", args=[payment.draft.token])

    # when
    response = client.post(url, {"action": "fees", "fee": [str(copies.pk)]}, follow=True)

    # then
    assert "không thay đổi được các khoản phí" in response.content.decode()
    payment.draft.refresh_from_db()
    assert payment.draft.fees_chosen == []
    assert payment_state_for_draft(draft=payment.draft).amount_due == 80_000


def test_starting_sends_the_browser_to_the_platform(client, payment, citizen):
    # given
    client.force_login(citizen)

    # when
    response = client.post(reverse("dossiers:payment_start", args=[payment.draft.token]))

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"http://platform.test/thanhtoan/thanh-toan?merchant=dvctt&ref={payment.ref}&"
    )
    assert Payment.objects.count() == 1  # the pending one was reused


def test_another_citizens_draft_cannot_be_paid(client, payment):
    # given
    client.force_login(UserFactory())

    # when
    response = client.post(reverse("dossiers:payment_start", args=[payment.draft.token]))

    # then
    assert response.status_code == 404
    assert Payment.objects.count() == 1


# The receipt download.


@pytest.fixture
def paid(client, payment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_notification(client, notification(payment))
    payment.refresh_from_db()
    return payment


def test_the_payer_downloads_the_receipt(client, paid, citizen):
    # given
    client.force_login(citizen)

    # when
    response = client.get(reverse("dossiers:payment_receipt", args=[paid.ref]))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Tổng số tiền đã nộp: 80.000 đồng" in pdf_text(b"".join(response.streaming_content))


def test_another_citizen_gets_404_for_the_receipt(client, paid):
    client.force_login(UserFactory())

    assert client.get(reverse("dossiers:payment_receipt", args=[paid.ref])).status_code == 404


def test_officers_who_see_the_dossier_download_its_receipt_and_others_do_not(client, paid, office, citizen):
    # given the draft was submitted to the office's agency
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=citizen)
    payment_attach_to_dossier(draft=paid.draft, dossier=dossier)
    elsewhere = UserFactory(role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory(code="000.99.99.H42")])
    url = reverse("dossiers:payment_receipt", args=[paid.ref])

    # when
    client.force_login(office["people"][Role.RECEPTION_OFFICER])
    ours = client.get(url)
    client.force_login(elsewhere)
    theirs = client.get(url)

    # then
    assert ours.status_code == 200
    assert theirs.status_code == 404


def test_the_officers_dossier_page_shows_the_fee_paid_online(client, paid, office, citizen):
    """Issue 20: the officer's page did not show the fee the citizen paid online, so the desk
    asked for a bank slip. Amount, channel, time and transaction reference are all there."""
    # given the paid draft was submitted to the office's agency, and an unpaid dossier beside it
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=citizen)
    payment_attach_to_dossier(draft=paid.draft, dossier=dossier)
    unpaid = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=citizen)
    client.force_login(office["people"][Role.RECEPTION_OFFICER])

    # when the officer opens both
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    other = client.get(reverse("dossiers:detail", args=[unpaid.code])).content.decode()

    # then the paid one lists the payment, in Vietnam's time; the other says nothing was paid
    section = page.split('id="payments-title"', 1)[1].split("</section>", 1)[0]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", section)).split())
    assert "80.000" in text
    assert "Nền tảng thanh toán của Cổng Dịch vụ công quốc gia" in text
    assert "09:03:12 23/11/2026" in text
    assert "GD20261123-0001" in text
    assert paid.ref in text
    assert reverse("dossiers:payment_receipt", args=[paid.ref]) in section
    assert "chưa thanh toán trực tuyến" in other.split('id="payments-title"', 1)[1].split("</section>", 1)[0]


def test_an_unpaid_payment_has_no_receipt_to_download(client, payment, citizen):
    client.force_login(citizen)

    assert client.get(reverse("dossiers:payment_receipt", args=[payment.ref])).status_code == 404


# Against the stand-in payment platform, over a real socket (embedded under /mock/ on the live server).


def pay_on_the_stand_in(session, url, action="pay"):
    """Open the platform's page like a browser, press one of its buttons; returns the redirect."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    return session.post(url.split("?")[0], data={**fields, "action": action}, allow_redirects=False, timeout=10)


@pytest.fixture
def stand_in(live_server, settings, office, client):
    settings.PORTAL_BASE_URL = live_server.url
    settings.PAYMENT_URL = f"{live_server.url}/mock/thanhtoan"
    citizen = office["people"][Role.CITIZEN]
    FeeFactory(procedure=office["procedure"], name="Lệ phí", amount=100_000, online_discount_percent=20)
    draft = DossierDraft.objects.create(owner=citizen, procedure=office["procedure"], agency=office["agency"])
    client.force_login(citizen)
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    yield SimpleNamespace(url=live_server.url, draft=draft, citizen=citizen, session=session)
    session.close()  # no kept-alive socket left to a server thread after the test's database is gone


@pytest.mark.django_db(transaction=True)
def test_paying_on_the_stand_in_notifies_us_and_returns_the_citizen(stand_in):
    # given
    payment, url = payment_start(draft=stand_in.draft, payer=stand_in.citizen)

    # when the citizen pays on the platform's page, then follows it back
    pressed = pay_on_the_stand_in(stand_in.session, url)
    back = stand_in.session.get(pressed.headers["Location"], timeout=10)

    # then the notification has been applied before the citizen is back
    assert pressed.status_code == 302
    assert pressed.headers["Location"].startswith(f"{stand_in.url}/thanh-toan/ket-qua/?")
    assert back.status_code == 200
    assert "Thanh toán thành công" in back.text
    payment.refresh_from_db()
    assert (payment.status, payment.amount) == (PaymentStatus.PAID, 80_000)
    assert payment.transaction_id.startswith("TT")
    assert "Tổng số tiền đã nộp: 80.000 đồng" in pdf_text(payment.receipt.read())
    assert list(PaymentNotification.objects.order_by("received_at").values_list("channel", "accepted")) == [
        ("notify", True),
        ("return", True),
    ]


@pytest.mark.django_db(transaction=True)
def test_when_the_stand_in_does_not_notify_the_return_page_asks_it(stand_in):
    # given the platform's notifications are switched off
    faults = requests.post(f"{stand_in.url}/mock/control/faults", json={"payment_notify": False}, timeout=10)
    assert faults.status_code == 200
    payment, url = payment_start(draft=stand_in.draft, payer=stand_in.citizen)

    # when
    pressed = pay_on_the_stand_in(stand_in.session, url)
    payment.refresh_from_db()
    pending_before_return = payment.status
    back = stand_in.session.get(pressed.headers["Location"], timeout=10)

    # then
    assert pending_before_return == PaymentStatus.PENDING
    assert "Thanh toán thành công" in back.text
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert list(PaymentNotification.objects.order_by("received_at").values_list("channel", "accepted")) == [
        ("return", True),
        ("query", True),
    ]


@pytest.mark.django_db(transaction=True)
def test_cancelling_on_the_stand_in_cancels_ours(stand_in):
    # given
    payment, url = payment_start(draft=stand_in.draft, payer=stand_in.citizen)

    # when
    pressed = pay_on_the_stand_in(stand_in.session, url, action="cancel")
    back = stand_in.session.get(pressed.headers["Location"], timeout=10)

    # then
    assert "Đã hủy thanh toán" in back.text
    payment.refresh_from_db()
    assert (payment.status, payment.paid_at, bool(payment.receipt)) == (PaymentStatus.CANCELLED, None, False)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_paying_in_chromium_on_a_phone_with_no_axe_violations(stand_in, settings, browser):
    """The fee step, the stand-in's checkout and our return page in real Chromium at 375 px."""
    from tests.browser_support import axe_violations

    # given the citizen's draft at the fee step
    session_key = stand_in.session.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(viewport={"width": 375, "height": 800})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": stand_in.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{stand_in.url}{reverse('dossiers:payment_start', args=[stand_in.draft.token])}")
    fee_step = axe_violations(page)

    # when the citizen pays, on the platform's page, and comes back
    page.click("button:has-text('Thanh toán trực tuyến')")
    page.wait_for_url(f"{stand_in.url}/mock/thanhtoan/thanh-toan?*")
    page.click("button[value=pay]")
    page.wait_for_url(f"{stand_in.url}/thanh-toan/ket-qua/?*")
    heading = page.inner_text("h1")
    return_page = axe_violations(page)
    receipt_link = page.get_attribute("text=Tải biên lai điện tử (PDF)", "href")
    receipt = context.request.get(f"{stand_in.url}{receipt_link}")
    receipt_type, receipt_pdf = receipt.headers["content-type"], receipt.body()
    context.close()

    # then
    assert (fee_step, return_page) == ([], [])
    assert heading == "Thanh toán thành công"
    assert receipt_type == "application/pdf"
    assert "Tổng số tiền đã nộp: 80.000 đồng" in pdf_text(receipt_pdf)
    assert Payment.objects.get().status == PaymentStatus.PAID
