"""The stand-in's two browser pages in real Chromium: accessible, and the journeys work over real sockets."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from emc_sync.mock_portal.citizen.models import Payment
from tests.browser_support import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Merchant(BaseHTTPRequestHandler):
    """The portal's side: records notifications, answers the browser's return with a blank page."""

    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Merchant.received.append(json.loads(self.rfile.read(length)))
        self._answer(b'{"error_code": "0"}', "application/json")

    def do_GET(self):
        self._answer(
            '<!DOCTYPE html><html lang="vi"><title>Cổng</title><p>Đã quay về</p></html>'.encode(),
            "text/html; charset=utf-8",
        )

    def _answer(self, body, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def merchant_server():
    Merchant.received = []
    server = HTTPServer(("127.0.0.1", 0), Merchant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def sign(*values):
    return hmac.new(b"payment-secret", "|".join(values).encode(), hashlib.sha256).hexdigest()


def test_log_in_on_the_vneid_page(browser, live_server, merchant_server):  # noqa: F811
    # given
    callback = f"{merchant_server}/tai-khoan/vneid/ket-qua/"
    query = urlencode(
        {"client_id": "dvctt", "redirect_uri": callback, "response_type": "code", "scope": "openid", "state": "s1"}
    )
    page = browser.new_page(locale="vi-VN")
    try:
        page.goto(f"{live_server.url}/mock/vneid/authorize?{query}")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert axe_violations(page) == []

        # when a wrong password, then the right one
        page.get_by_label("Số định danh cá nhân").fill("037195004321")
        page.get_by_label("Mật khẩu").fill("sai")
        page.get_by_role("button", name="Đăng nhập").click()
        assert page.get_by_role("alert").inner_text() == "Số định danh cá nhân hoặc mật khẩu không đúng."
        assert axe_violations(page) == []
        page.get_by_label("Mật khẩu").fill("Demo@2026")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{callback}?*")

        # then
        returned = parse_qs(urlsplit(page.url).query)
        assert returned["state"] == ["s1"]
        assert len(returned["code"][0]) == 43
    finally:
        page.close()


def test_pay_on_the_checkout_page_notifies_over_http(browser, live_server, merchant_server):  # noqa: F811
    # given
    fields = {
        "merchant": "dvctt",
        "ref": "H42.37-261123-0007",
        "amount": "1250000",
        "return_url": f"{merchant_server}/thanh-toan/ket-qua",
        "notify_url": f"{merchant_server}/thanh-toan/thong-bao",
        "ts": "20261123091500",
    }
    signed = {**fields, "info": "Phí thẩm định hồ sơ", "sig": sign(*fields.values())}
    page = browser.new_page(locale="vi-VN")
    try:
        page.goto(f"{live_server.url}/mock/thanhtoan/thanh-toan?{urlencode(signed)}")
        assert "1.250.000 đồng" in page.locator("main").inner_text()
        assert axe_violations(page) == []

        # when
        page.get_by_role("button", name="Thanh toán").click()
        page.wait_for_url(f"{merchant_server}/thanh-toan/ket-qua?*")

        # then
        payment = Payment.objects.get()
        assert payment.notify_result == "sent 200"
        assert len(Merchant.received) == 1
        assert Merchant.received[0]["status"] == "paid"
        assert Merchant.received[0]["amount"] == 1250000
        returned = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
        assert returned["sig"] == sign("H42.37-261123-0007", payment.transaction_id, "paid")
    finally:
        page.close()


def test_the_error_page_of_a_tampered_request_is_accessible(browser, live_server):  # noqa: F811
    page = browser.new_page(locale="vi-VN")
    try:
        # when
        response = page.goto(f"{live_server.url}/mock/thanhtoan/thanh-toan?merchant=dvctt&ref=x&amount=1&sig=00")

        # then
        assert response.status == 400
        assert page.get_by_role("heading", level=1).inner_text() == "Yêu cầu thanh toán không hợp lệ"
        assert axe_violations(page) == []
    finally:
        page.close()
