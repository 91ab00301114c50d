"""WCAG 3.1.2 (language of parts): on a page in English, the Vietnamese data it shows (procedure
names, sectors, agencies, components, fees, steps, e-form titles, labels and help) carries
lang="vi"; the page's own words stay English; in Vietnamese mode nothing is marked. Every test
makes its own procedure and form: nothing depends on the demo data."""

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html as lxml_html

from accounts.constants import Role
from eforms.services import form_draft_save
from tests.eforms.builders import field, form, step
from tests.factories import AgencyFactory, ComponentFactory, FeeFactory, ProcedureFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "Cấp giấy xác nhận tình trạng hôn nhân thử ngôn ngữ"
SECTOR = "Hộ tịch thử ngôn ngữ"
AGENCY = "Ủy ban nhân dân phường Ngôn Ngữ"
COMPONENT = "Tờ khai xác nhận tình trạng hôn nhân"
FEE = "Lệ phí cấp giấy xác nhận"
STEPS = "Bước một: nộp tờ khai ở bộ phận một cửa."


def language_of(page, text: str) -> list[str]:
    """The language of every element whose own text holds `text`: its nearest lang attribute."""
    elements = page.xpath("//body//*[text()[contains(., $text)]]", text=text)
    assert elements, f"{text!r} is not on the page"
    return [element.xpath("string(ancestor-or-self::*[@lang][1]/@lang)") for element in elements]


def get(client, url: str, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


@pytest.fixture
def procedure():
    made = ProcedureFactory(
        name=NAME, sector=SectorFactory(name=SECTOR), steps=STEPS, agencies=[AgencyFactory(name=AGENCY)]
    )
    ComponentFactory(procedure=made, name=COMPONENT)
    FeeFactory(procedure=made, name=FEE)
    return made


@pytest.mark.parametrize("url_name", ["detail", "index"])
def test_in_english_the_catalogues_vietnamese_data_is_marked_vi(client, procedure, url_name):
    # when the procedure's page, or the catalogue listing it, is read in English
    url = reverse("procedures:detail", args=[procedure.code]) if url_name == "detail" else reverse("procedures:index")
    page = get(client, url + ("" if url_name == "detail" else "?q=" + procedure.code), "en")

    # then the page is English, and every piece of Vietnamese data on it says it is Vietnamese
    assert page.get("lang") == "en"
    data = [NAME, SECTOR] + ([AGENCY, COMPONENT, FEE, STEPS] if url_name == "detail" else [])
    for text in data:
        assert set(language_of(page, text)) == {"vi"}, text


def test_in_english_the_page_s_own_words_stay_english(client, procedure):
    page = get(client, reverse("procedures:detail", args=[procedure.code]), "en")

    assert language_of(page, "Application documents") == ["en"]
    assert page.xpath("//h1")[0].get("lang") == "vi"


def test_in_vietnamese_nothing_is_marked(client, procedure):
    page = get(client, reverse("procedures:detail", args=[procedure.code]), "vi")

    assert page.get("lang") == "vi"
    assert page.xpath("//body//*[@lang='vi']/@lang") == []
    assert set(language_of(page, NAME)) == {"vi"}


def test_in_english_the_e_form_s_title_step_labels_and_help_are_marked_vi(client, procedure):
    # given a form of Vietnamese words
    schema = form(
        step(
            "nguoi_khai",
            field("ho_ten", "text", "Họ và tên người yêu cầu", required=True, help_text="Ghi bằng chữ in hoa có dấu"),
            title="Thông tin người yêu cầu",
            description="Điền như trên căn cước",
        ),
    )
    schema["title"] = "Tờ khai thử ngôn ngữ"
    version = form_draft_save(procedure=procedure, schema=schema)
    client.force_login(UserFactory(role=Role.PROVINCE_ADMIN))

    # when its first page is read in English, and again with the field left empty
    url = reverse("eforms:preview", args=[version.pk])
    first = get(client, url, "en")
    posted = client.post(url, {f"eform_eformpreviewwizard_{version.pk}-current_step": "nguoi_khai"})
    invalid = lxml_html.fromstring(posted.content.decode())

    # then the form's words are Vietnamese, the portal's own (the error, the buttons) English
    for text in ("Tờ khai thử ngôn ngữ", "Thông tin người yêu cầu", "Điền như trên căn cước",
                 "Họ và tên người yêu cầu", "Ghi bằng chữ in hoa có dấu"):  # fmt: skip
        assert set(language_of(first, text)) == {"vi"}, text
    assert set(language_of(first, "Continue")) == {"en"}
    # (the label where it stands alone: on the field and in the summary's link; a message that
    # quotes it inside an English sentence stays one English text)
    labels = invalid.xpath("//body//*[normalize-space(text())=$text]", text="Họ và tên người yêu cầu")
    assert len(labels) == 2
    assert {label.xpath("string(ancestor-or-self::*[@lang][1]/@lang)") for label in labels} == {"vi"}
    assert set(language_of(invalid, "Please enter")) == {"en"}
