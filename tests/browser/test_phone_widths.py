"""On a 375 px phone nothing is wider than its box (issue 20): the procedure's document table and
"Hồ sơ của tôi" used to overflow and be cut off. axe does not see that; measuring the boxes does."""

import pytest

from accounts.constants import Role
from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ComponentFactory, DossierFactory, ProcedureFactory, UserFactory

from .conftest import axe_violations
from .test_complaints import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 375

# Every element of the page whose right edge passes the viewport, and every table wider than the
# box that holds it (a scrolling wrapper hides what it cannot show: that is cut off too).
MEASURE = """(width) => {
  const wide = [];
  for (const el of document.querySelectorAll("main *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      wide.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(box.left)}–${Math.round(box.right)}`);
    }
  }
  const tables = [...document.querySelectorAll("main table")].map((table) => {
    const holder = table.parentElement;
    return {
      table: Math.round(table.getBoundingClientRect().width),
      holder: holder.clientWidth,
      scrolls: holder.scrollWidth > holder.clientWidth + 1,
    };
  });
  return {wide, tables, page: document.documentElement.scrollWidth};
}"""


def measure(page):
    return page.evaluate(MEASURE, PHONE)


@pytest.fixture
def long_content(live_server):
    """A procedure with the catalogue's real long component names and form titles, and a citizen
    with dossiers of long procedure names and codes."""
    agency = AgencyFactory(code="000.00.12.H42", name="Ủy ban nhân dân phường Hoa Lư", level=AgencyLevel.WARD)
    procedure = ProcedureFactory(
        code="1.001193", name="Đăng ký khai sinh (thủ tục hành chính cấp xã, thực hiện trực tuyến toàn trình)",
        agencies=[agency],
    )  # fmt: skip
    ComponentFactory(
        procedure=procedure, order=0, name="Tờ khai đăng ký khai sinh",
        template_name="Tờ khai đăng ký khai sinh (mẫu ban hành kèm theo Thông tư số 04/2020/TT-BTP)",
    )  # fmt: skip
    ComponentFactory(
        procedure=procedure, order=1, reusable=True,
        name=(
            "Giấy chứng sinh do cơ sở y tế cấp; trường hợp không có Giấy chứng sinh thì nộp văn bản của người "
            "làm chứng xác nhận về việc sinh; nếu không có người làm chứng thì nộp giấy cam đoan về việc sinh"
        ),
    )  # fmt: skip
    citizen = UserFactory(role=Role.CITIZEN, full_name="Nguyễn Thị Bích Ngọc")
    for _ in range(3):
        DossierFactory(procedure=procedure, agency=agency, applicant=citizen)
    return {"procedure": procedure, "citizen": citizen}


@pytest.mark.parametrize("page_name", ["procedure", "my_dossiers"], ids=["thanh-phan-ho-so", "ho-so-cua-toi"])
def test_tables_fit_a_375_px_phone(browser, live_server, long_content, page_name):
    # given a phone, signed in as the citizen
    context, page = signed_in(browser, live_server, long_content["citizen"], PHONE)
    url = {
        "procedure": f"/thu-tuc/{long_content['procedure'].code}/",
        "my_dossiers": "/ho-so-cua-toi/",
    }[page_name]

    # when the page is shown
    page.goto(live_server.url + url)
    found = measure(page)

    # then a table is there, no wider than its box, nothing scrolls sideways, axe is clean
    assert found["tables"], "the page has no table to measure"
    assert [t for t in found["tables"] if t["table"] > t["holder"] or t["scrolls"]] == []
    assert found["wide"] == []
    assert found["page"] <= PHONE
    assert axe_violations(page) == []
    context.close()
