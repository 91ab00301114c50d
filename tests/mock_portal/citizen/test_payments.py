import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
import time_machine

from emc_sync.mock_portal.citizen import payments
from emc_sync.mock_portal.citizen.models import Payment

PAGE = "/mock/thanhtoan/thanh-toan"
QUERY = "/mock/thanhtoan/tra-cuu"
RETURN_URL = "http://127.0.0.1:8000/thanh-toan/ket-qua?ho_so=H42.37-261123-0001"
NOTIFY_URL = "http://127.0.0.1:8000/thanh-toan/thong-bao"
VN = dt.timezone(dt.timedelta(hours=7))
PAID_MOMENT = dt.datetime(2026, 11, 23, 9, 15, 42, tzinfo=VN)


def signature(*values: str, secret: str = "payment-secret") -> str:
    # Written from the contract, not from the stand-in's code.
    return hmac.new(secret.encode(), "|".join(values).encode("utf-8"), hashlib.sha256).hexdigest()


def payment_request(
    ref: str = "H42.37-261123-0001", amount: str = "150000", tampered: dict[str, str] | None = None
) -> dict[str, str]:
    """A request signed as the portal signs it; `tampered` fields are changed after signing."""
    params = {
        "merchant": "dvctt",
        "ref": ref,
        "amount": amount,
        "info": "Lệ phí đăng ký khai sinh",
        "return_url": RETURN_URL,
        "notify_url": NOTIFY_URL,
        "ts": "20261123091500",
    }
    params["sig"] = signature(*(params[k] for k in ("merchant", "ref", "amount", "return_url", "notify_url", "ts")))
    return {**params, **(tampered or {})}


def query_request(ref: str) -> dict[str, str]:
    return {"merchant": "dvctt", "ref": ref, "ts": "20261123100000", "sig": signature("dvctt", ref, "20261123100000")}


def returned(response) -> dict[str, str]:
    parts = urlsplit(response["Location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:8000/thanh-toan/ket-qua"
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


@pytest.fixture
def merchant():
    """The portal's notify_url, as the outside world the stand-in calls."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.POST, NOTIFY_URL, json={"error_code": "0"})
        yield mocked


@pytest.mark.django_db
def test_a_signed_request_shows_the_checkout_page(client):
    # when
    response = client.get(PAGE, payment_request())

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "<strong>150.000 đồng</strong>" in page
    assert "<dd>Lệ phí đăng ký khai sinh</dd>" in page
    assert "<dd>dvctt</dd>" in page
    assert '<button type="submit" name="action" value="pay">Thanh toán</button>' in page
    assert '<button type="submit" name="action" value="cancel" class="secondary">Hủy</button>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert list(Payment.objects.values_list("ref", "amount", "status", "transaction_id")) == [
        ("H42.37-261123-0001", 150000, "pending", "")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tampered",
    [{"amount": "1000"}, {"ref": "H42.37-261123-0002"}, {"notify_url": "http://evil.example/n"}, {"sig": "0" * 64}],
)
def test_a_tampered_request_shows_an_error_page(client, tampered):
    # when
    response = client.get(PAGE, payment_request(tampered=tampered))

    # then
    assert response.status_code == 400
    assert "Chữ ký của yêu cầu thanh toán không hợp lệ. Yêu cầu có thể đã bị sửa đổi." in response.content.decode()
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_a_tampered_form_post_is_refused_and_nothing_is_paid(client, merchant):
    # given
    client.get(PAGE, payment_request())

    # when
    response = client.post(PAGE, {**payment_request(tampered={"amount": "1"}), "action": "pay"})

    # then
    assert response.status_code == 400
    assert list(Payment.objects.values_list("status", flat=True)) == ["pending"]
    assert len(merchant.calls) == 0


@pytest.mark.django_db
@time_machine.travel(PAID_MOMENT, tick=False)
def test_paying_notifies_the_merchant_then_returns_the_citizen_with_signed_params(client, merchant):
    # given
    client.get(PAGE, payment_request())

    # when
    response = client.post(PAGE, {**payment_request(), "action": "pay"})

    # then: one signed notification
    payment = Payment.objects.get()
    assert payment.status == "paid"
    assert payment.transaction_id.startswith("TT20261123091542")
    assert len(merchant.calls) == 1
    sent = merchant.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    tx = payment.transaction_id
    assert json.loads(sent.body) == {
        "merchant": "dvctt",
        "ref": "H42.37-261123-0001",
        "transaction_id": tx,
        "amount": 150000,
        "status": "paid",
        "paid_at": "20261123091542",
        "sig": signature("dvctt", "H42.37-261123-0001", tx, "150000", "paid", "20261123091542"),
    }
    # and the browser goes back with signed params, keeping the portal's own query
    assert response.status_code == 302
    assert returned(response) == {
        "ho_so": "H42.37-261123-0001",
        "ref": "H42.37-261123-0001",
        "transaction_id": tx,
        "status": "paid",
        "sig": signature("H42.37-261123-0001", tx, "paid"),
    }


@pytest.mark.django_db
def test_cancelling_notifies_and_returns_cancelled(client, merchant):
    # given
    client.get(PAGE, payment_request())

    # when
    response = client.post(PAGE, {**payment_request(), "action": "cancel"})

    # then
    payment = Payment.objects.get()
    tx = payment.transaction_id
    assert payment.status == "cancelled"
    body = json.loads(merchant.calls[0].request.body)
    assert (body["status"], body["paid_at"]) == ("cancelled", "")
    assert body["sig"] == signature("dvctt", "H42.37-261123-0001", tx, "150000", "cancelled", "")
    assert returned(response)["status"] == "cancelled"
    assert returned(response)["sig"] == signature("H42.37-261123-0001", tx, "cancelled")


@pytest.mark.django_db
def test_the_query_tells_pending_paid_and_unknown(client, merchant):
    # given
    client.get(PAGE, payment_request())
    pending = client.get(QUERY, query_request("H42.37-261123-0001")).json()
    with time_machine.travel(PAID_MOMENT, tick=False):
        client.post(PAGE, {**payment_request(), "action": "pay"})

    # when
    paid = client.get(QUERY, query_request("H42.37-261123-0001")).json()
    unknown = client.get(QUERY, query_request("H42.37-261123-9999")).json()

    # then
    tx = Payment.objects.get().transaction_id
    assert pending == {
        "ref": "H42.37-261123-0001",
        "status": "pending",
        "transaction_id": "",
        "amount": 150000,
        "paid_at": "",
    }
    assert paid == {
        "ref": "H42.37-261123-0001",
        "status": "paid",
        "transaction_id": tx,
        "amount": 150000,
        "paid_at": "20261123091542",
    }
    assert unknown == {
        "ref": "H42.37-261123-9999",
        "status": "unknown",
        "transaction_id": "",
        "amount": None,
        "paid_at": "",
    }


@pytest.mark.django_db
def test_a_query_with_a_wrong_signature_is_refused(client):
    # when
    response = client.get(QUERY, {**query_request("H42.37-261123-0001"), "ref": "H42.37-261123-0002"})

    # then
    assert response.status_code == 400
    assert response.json() == {"error_code": "1", "message": "Chữ ký của yêu cầu tra cứu không hợp lệ."}


@pytest.mark.django_db
def test_paying_the_same_ref_twice_makes_one_transaction_and_one_notification(client, merchant):
    # given
    first = client.post(PAGE, {**payment_request(), "action": "pay"})

    # when
    second = client.post(PAGE, {**payment_request(), "action": "pay"})
    page = client.get(PAGE, payment_request())

    # then
    payment = Payment.objects.get()
    assert returned(second) == returned(first)
    assert len(merchant.calls) == 1
    assert f"(mã giao dịch {payment.transaction_id})" in page.content.decode()
    assert "Thanh toán</button>" not in page.content.decode()


@pytest.mark.django_db
def test_the_same_ref_with_another_amount_is_refused(client, merchant):
    # given
    client.get(PAGE, payment_request(amount="150000"))

    # when
    page = client.get(PAGE, payment_request(amount="200000"))
    post = client.post(PAGE, {**payment_request(amount="200000"), "action": "pay"})

    # then
    assert (page.status_code, post.status_code) == (400, 400)
    assert "đã được tạo với số tiền 150.000 đồng, khác với số tiền 200.000 đồng" in page.content.decode()
    assert list(Payment.objects.values_list("amount", "status")) == [(150000, "pending")]
    assert len(merchant.calls) == 0


@pytest.mark.django_db
def test_with_notifications_switched_off_the_payment_is_paid_and_only_the_query_tells(client):
    # given
    switched = client.post("/mock/control/faults", {"payment_notify": False}, content_type="application/json")
    assert switched.status_code == 200

    # when: no HTTP mock is registered, so any notification would fail the test
    with responses.RequestsMock() as mocked:
        response = client.post(PAGE, {**payment_request(), "action": "pay"})
        calls = len(mocked.calls)

    # then
    assert calls == 0
    assert returned(response)["status"] == "paid"
    assert Payment.objects.get().notify_result == "skipped (switched off)"
    assert client.get(QUERY, query_request("H42.37-261123-0001")).json()["status"] == "paid"


@pytest.mark.django_db
def test_a_failed_notification_leaves_the_payment_paid(client):
    # given: the merchant is unreachable
    with responses.RequestsMock() as mocked:
        mocked.add(responses.POST, NOTIFY_URL, body=requests.ConnectionError("refused"))

        # when
        response = client.post(PAGE, {**payment_request(), "action": "pay"})

    # then
    assert returned(response)["status"] == "paid"
    assert list(Payment.objects.values_list("status", "notify_result")) == [("paid", "failed: ConnectionError")]


def test_the_signature_matches_a_vector_computed_outside_python():
    # printf '%s' 'dvctt|H42.37-261123-0001|150000|<return_url>|<notify_url>|20261123091500' \
    #   | openssl dgst -sha256 -hmac payment-secret
    # when
    computed = payments.sign(["dvctt", "H42.37-261123-0001", "150000", RETURN_URL, NOTIFY_URL, "20261123091500"])

    # then
    assert computed == "2c2a6ec1e155f6ad22c398813f1399cc9d3daab93b9c5f4d6d5de3a6e7dc0639"
    assert payment_request()["sig"] == computed


@pytest.mark.django_db
def test_the_addresses_of_the_request_the_citizen_acted_on_are_used(client, merchant):
    # given: the page was first opened with other (signed) addresses
    client.get(PAGE, payment_request())
    other_notify = "http://localhost:8000/thanh-toan/thong-bao"
    merchant.add(responses.POST, other_notify, json={"error_code": "0"})
    fields = {**payment_request(), "notify_url": other_notify}
    fields["sig"] = signature(*(fields[k] for k in ("merchant", "ref", "amount", "return_url", "notify_url", "ts")))

    # when
    client.post(PAGE, {**fields, "action": "pay"})

    # then
    assert [call.request.url for call in merchant.calls] == [other_notify]
