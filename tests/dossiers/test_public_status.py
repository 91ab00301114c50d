from django.urls import reverse

from dossiers.selectors import mask_name
from tests.factories import DossierFactory


def test_status_page_shows_status_and_steps_but_no_personal_data(client, office):
    dossier = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], applicant_name="Nguyễn Thị Ánh Dương",
        applicant_id_number="037190004321", applicant_phone="0912345678",
    )  # fmt: skip

    html = client.get(reverse("dossiers:public_status", args=[dossier.code])).content.decode()

    assert dossier.code in html
    assert "Mới đăng ký" in html
    assert "N***** T** Á** D****" in html
    for private in ("Nguyễn Thị Ánh Dương", "037190004321", "0912345678"):
        assert private not in html


def test_search_form_and_unknown_code(client, db):
    assert client.get(reverse("dossiers:public_status_search")).status_code == 200
    response = client.get(reverse("dossiers:public_status_search"), {"ma": "000.00.00.X00-000000-0000"})
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ có mã" in response.content.decode()


def test_mask_name_keeps_initials():
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"
