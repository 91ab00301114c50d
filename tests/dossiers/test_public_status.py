import pytest
from django.urls import reverse

from dossiers.selectors import dossier_public_token, mask_name
from tests.factories import DossierFactory
from tests.stores import clear_caches

PRIVATE = ("Nguyễn Thị Ánh Dương", "N***** T** Á** D****", "037190004321", "0912345678")


@pytest.fixture(autouse=True)
def _fresh_limits():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def dossier(office):
    return DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant_name="Nguyễn Thị Ánh Dương",
        applicant_id_number="037190004321", applicant_phone="0912345678",
    )  # fmt: skip


def lookup(client, code, digits):
    return client.post(reverse("dossiers:public_status_search"), {"ma": code, "so_cuoi": digits})


def test_the_qr_key_shows_status_and_dates_but_no_personal_data(client, dossier):
    url = reverse("dossiers:public_status", args=[dossier.code])

    response = client.get(url, {"k": dossier_public_token(code=dossier.code)})

    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html
    assert "Mới đăng ký" in html
    for private in PRIVATE:
        assert private not in html


def test_code_and_the_last_four_digits_show_the_status(client, dossier):
    response = lookup(client, dossier.code.lower(), "4321")

    assert response.status_code == 200
    assert "Mới đăng ký" in response.content.decode()


@pytest.mark.parametrize("digits", ["1234", "0000"])
def test_wrong_digits_reveal_nothing(client, dossier, digits):
    wrong = lookup(client, dossier.code, digits)
    unknown = lookup(client, "000.00.00.X00-000000-0000", digits)

    # the same answer whether the code exists or not
    for response in (wrong, unknown):
        html = response.content.decode()
        assert response.status_code == 404
        assert "Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối" in html
        assert "Mới đăng ký" not in html
        assert dossier.procedure.name not in html


def test_a_wrong_qr_key_reveals_nothing(client, dossier):
    response = client.get(reverse("dossiers:public_status", args=[dossier.code]), {"k": "0" * 20})

    assert response.status_code == 404
    assert "Mới đăng ký" not in response.content.decode()


def test_guessing_the_digits_of_one_code_is_stopped(client, dossier):
    # given more wrong guesses for the same code than the limit allows (5 in 15 minutes)
    for guess in ("0001", "0002", "0003", "0004", "0005", "0006"):
        assert lookup(client, dossier.code, guess).status_code == 404

    # when the right digits come next, from the same guesser
    response = lookup(client, dossier.code, "4321")

    # then the lookup is refused for a while, and says so
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()
    assert "Mới đăng ký" not in response.content.decode()


def test_one_address_cannot_sweep_many_codes(client, dossier, settings):
    settings.LOOKUP_RATE_PER_ADDRESS = "3/h"
    for n in range(3):
        assert lookup(client, f"000.00.00.X00-000000-000{n}", "1111").status_code == 404

    assert lookup(client, dossier.code, "4321").status_code == 429


def test_malformed_digits_are_explained(client, dossier):
    response = lookup(client, dossier.code, "12a")

    assert response.status_code == 400
    assert "Vui lòng nhập đúng 4 chữ số." in response.content.decode()


def test_the_search_form_is_offered(client, db):
    response = client.get(reverse("dossiers:public_status_search"))

    assert response.status_code == 200
    assert "4 số cuối" in response.content.decode()


def test_mask_name_keeps_initials():
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"


def test_a_guesser_cannot_lock_the_owner_out_and_is_told_how_long_to_wait(client, dossier):
    # given someone else, on another address, spending every wrong answer on this code
    for guess in ("0001", "0002", "0003", "0004", "0005", "0006"):
        client.post(
            reverse("dossiers:public_status_search"),
            {"ma": dossier.code, "so_cuoi": guess},
            REMOTE_ADDR="203.0.113.9",
            HTTP_USER_AGENT="may-doan",
        )
    refused = client.post(
        reverse("dossiers:public_status_search"),
        {"ma": dossier.code, "so_cuoi": "0007"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="may-doan",
    )

    # when the owner looks it up from their own phone
    owner = client.post(
        reverse("dossiers:public_status_search"),
        {"ma": dossier.code, "so_cuoi": "4321"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="dien-thoai-chu-ho-so",
    )

    # then the guesser waits 15 minutes, and is told so; the owner gets the status
    assert refused.status_code == 429
    assert "Vui lòng thử lại sau 15 phút." in refused.content.decode()
    assert owner.status_code == 200
    assert "Mới đăng ký" in owner.content.decode()


def test_a_code_guessed_from_many_addresses_meets_the_daily_ceiling(client, dossier, settings):
    settings.LOOKUP_FAILURES_PER_CODE_DAY = "3/d"
    for n in range(4):  # the fourth wrong answer of the day is over the ceiling
        client.post(
            reverse("dossiers:public_status_search"),
            {"ma": dossier.code, "so_cuoi": f"000{n}"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )

    owner = client.post(
        reverse("dossiers:public_status_search"), {"ma": dossier.code, "so_cuoi": "4321"}, REMOTE_ADDR="198.51.100.7"
    )

    assert owner.status_code == 429
    assert "ngày mai" in owner.content.decode()
