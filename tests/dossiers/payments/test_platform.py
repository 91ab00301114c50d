import pytest

from dossiers.payments.platform import (
    notification_refusal,
    parse_platform_time,
    payment_sign,
    payment_signature_valid,
    platform_word,
)
from tests.dossiers.payments.conftest import VN, sign

KEYS = ("merchant", "ref", "transaction_id", "amount", "status", "paid_at")


# Signatures.


def test_signature_is_hex_hmac_sha256_of_the_fields_joined_by_bars():
    # given the redirect fields of the contract (vector computed with `openssl dgst -sha256 -hmac payment-secret`)
    fields = (
        "dvctt",
        "DVC261123ABCDEF",
        80000,
        "http://127.0.0.1:8000/thanh-toan/ket-qua/",
        "http://127.0.0.1:8000/thanh-toan/thong-bao/",
        "20261123090000",
    )

    # when
    signature = payment_sign(*fields, secret="payment-secret")

    # then
    assert signature == "88b371edd1ecabe447127e25a33487d04bfa1b2ebf6d7e6b111db43a48fbf733"
    assert payment_sign("Phí", "đồng", secret="payment-secret") == (
        "93068123449892b72a8c14b33b4a898a37ea52d2614aa58933e1202c0626862d"
    )


@pytest.mark.parametrize(
    ("signature", "valid"),
    [
        ("88b371edd1ecabe447127e25a33487d04bfa1b2ebf6d7e6b111db43a48fbf733", True),
        ("88B371EDD1ECABE447127E25A33487D04BFA1B2EBF6D7E6B111DB43A48FBF733", True),
        ("88b371edd1ecabe447127e25a33487d04bfa1b2ebf6d7e6b111db43a48fbf734", False),
        ("", False),
        (None, False),
        (12345, False),
        ("chữ ký giả", False),
    ],
)
def test_a_received_signature_is_checked_exactly(signature, valid):
    fields = (
        "dvctt",
        "DVC261123ABCDEF",
        "80000",
        "http://127.0.0.1:8000/thanh-toan/ket-qua/",
        "http://127.0.0.1:8000/thanh-toan/thong-bao/",
        "20261123090000",
    )

    assert payment_signature_valid(signature, *fields) is valid


# Reading what the platform says.


def signed_notification(**changes):
    body = dict(zip(KEYS, ("dvctt", "DVC261123ABCDEF", "GD1", 80000, "paid", "20261123090312"), strict=True))
    body |= changes
    return body | {"sig": sign(*(body[key] for key in KEYS))}


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (signed_notification(), ""),
        (signed_notification(amount="80000"), ""),
        (signed_notification(merchant="khac"), "Sai mã đơn vị nhận tiền (merchant)."),
        (signed_notification(amount=-1), "Số tiền không hợp lệ."),
        (signed_notification(amount=True), "Số tiền không hợp lệ."),
        (signed_notification(amount="80.000"), "Số tiền không hợp lệ."),
        (signed_notification() | {"status": "cancelled"}, "Chữ ký không hợp lệ: từ chối."),
        (signed_notification() | {"sig": None}, "Chữ ký không hợp lệ: từ chối."),
    ],
)
def test_a_notification_is_believed_only_for_our_merchant_a_whole_amount_and_a_good_signature(settings, body, refusal):
    assert notification_refusal(body) == refusal


def test_the_platform_word_reads_wrong_types_as_absent():
    # when
    word = platform_word(
        {"ref": "DVC1", "status": 1, "transaction_id": None, "amount": "12", "paid_at": "20261123090312"}
    )
    odd = platform_word({"amount": 1.5, "paid_at": "23/11/2026"})

    # then
    assert (word.ref, word.status, word.transaction_id, word.amount) == ("DVC1", "", "", 12)
    assert word.paid_at == parse_platform_time("20261123090312")
    assert word.paid_at.tzinfo is not None
    assert word.paid_at.astimezone(VN).hour == 9
    assert (odd.ref, odd.amount, odd.paid_at) == ("", None, None)
