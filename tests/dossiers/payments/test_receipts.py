import datetime as dt

import pytest

from dossiers.constants import PaymentStatus
from dossiers.payments.receipts import payment_receipt_issue
from dossiers.payments.services import payment_confirm, payment_start
from tests.dossiers.payments.conftest import VN, pdf_text


def test_the_receipt_is_rendered_once_with_what_was_paid(draft, citizen):
    # given
    payment, _url = payment_start(draft=draft, payer=citizen)
    paid_at = dt.datetime(2026, 11, 23, 9, 5, tzinfo=VN)
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD20261123-42", paid_at=paid_at)

    # when
    issued = payment_receipt_issue(payment_id=payment.pk)
    again = payment_receipt_issue(payment_id=payment.pk)

    # then
    assert again.receipt.name == issued.receipt.name
    assert issued.receipt.name.endswith(f"bien-lai-{payment.ref}.pdf")
    text = pdf_text(issued.receipt.read())
    assert "Mẫu số" not in text
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ",
        "SỞ TƯ PHÁP",
        "Người nộp tiền: Nguyễn Văn An",
        "thủ tục Thủ tục thử nghiệm (mã thủ tục 1.000001)",
        "SỞ TƯ PHÁP CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Lệ phí cấp giấy 100.000 đồng 20% 80.000 đồng",
        "Phí thẩm định 30.000 đồng – 30.000 đồng",
        "Tổng số tiền đã nộp: 110.000 đồng",
        payment.ref,
        "Mã giao dịch thanh toán: GD20261123-42",
        "Thời gian thanh toán: 09 giờ 05 phút, ngày 23 tháng 11 năm 2026",
        f"http://127.0.0.1:8000/thanh-toan/{payment.ref}/bien-lai/",
    ):
        assert expected in text


def test_an_unpaid_payment_has_no_receipt(draft, citizen):
    payment, _url = payment_start(draft=draft, payer=citizen)

    with pytest.raises(ValueError, match="chưa được thanh toán"):
        payment_receipt_issue(payment_id=payment.pk)
    payment.refresh_from_db()
    assert not payment.receipt
