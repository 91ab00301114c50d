import re
from collections import deque

import pytest
from django.urls import reverse

from tests.factories import ComponentFactory, FeeFactory


def test_home_has_search_box_and_most_used(client, civil_status_catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert 'role="search"' in html
    assert html.index("Đăng ký khai sinh") < html.index("Đăng ký kết hôn")  # most used first


def test_search_page_lists_birth_registration_first(client, civil_status_catalogue):
    response = client.get(reverse("procedures:index"), {"q": "dang ky khai sinh"})

    html = response.content.decode()
    first = re.search(r'href="/thu-tuc/([0-9.]+)/"', html.split('id="results-title"')[1])
    assert first is not None
    assert first.group(1) == "1.001193"


def test_a_thousand_character_search_gets_a_message_not_an_error(client, civil_status_catalogue):
    # (an address over MAX_ADDRESS_LENGTH gets the 414 page first: tests/test_security.py)
    response = client.get(reverse("procedures:index"), {"q": "x" * 1_000})

    assert response.status_code == 400
    assert "Từ khóa tìm kiếm quá dài (1000 ký tự). Vui lòng nhập tối đa 200 ký tự." in response.content.decode()


def test_sql_looking_search_text_is_harmless(client, civil_status_catalogue):
    response = client.get(reverse("procedures:index"), {"q": "' OR 1=1; DROP TABLE procedures_procedure; --"})

    assert response.status_code == 200
    assert "Không tìm thấy thủ tục phù hợp" in response.content.decode()
    assert client.get(reverse("procedures:detail", args=["1.001193"])).status_code == 200


def test_no_match_gets_a_helpful_message(client, civil_status_catalogue):
    response = client.get(reverse("procedures:index"), {"q": "tàu vũ trụ"})

    assert "Không tìm thấy thủ tục phù hợp" in response.content.decode()


def test_browse_by_sector_shows_heading_and_only_that_sector(
    client, civil_status_catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("procedures:index"), {"sector": "DATDAI"})

    html = response.content.decode()
    assert "Thủ tục thuộc lĩnh vực Đất đai" in html
    assert "/thu-tuc/1.012756/" in html
    assert "/thu-tuc/1.001193/" not in html


def test_detail_page_shows_what_a_citizen_needs_before_starting(
    client, civil_status_catalogue, django_assert_max_num_queries
):
    procedure = civil_status_catalogue["1.012756"]
    FeeFactory(procedure=procedure, name="Lệ phí cấp giấy chứng nhận", amount=100_000, online_discount_percent=20)
    ComponentFactory(procedure=procedure, name="Đơn đăng ký đất đai", template_name="Mẫu số 04a/ĐK")

    with django_assert_max_num_queries(5):
        response = client.get(reverse("procedures:detail", args=["1.012756"]))

    html = response.content.decode()
    assert "Lệ phí cấp giấy chứng nhận" in html
    assert "100.000 đồng" in html
    assert "80.000 đồng" in html
    assert "5 ngày làm việc" in html
    assert "Đơn đăng ký đất đai" in html
    assert "Mẫu số 04a/ĐK" in html
    assert "UBND phường Hoa Lư" in html


def test_partial_service_shows_its_reason(client, civil_status_catalogue):
    response = client.get(reverse("procedures:detail", args=["2.000815"]))

    assert "Phải có mặt để đối chiếu." in response.content.decode()


def test_draft_procedure_is_not_public(client, civil_status_catalogue):
    response = client.get(reverse("procedures:detail", args=["2.999999"]))

    assert response.status_code == 404


def test_every_published_procedure_is_within_three_clicks_of_home(client, civil_status_catalogue):
    published = {p.code for key, p in civil_status_catalogue.items() if p.is_published}
    found: set[str] = set()
    seen = {"/"}
    queue = deque([("/", 0)])
    while queue:
        url, depth = queue.popleft()
        html = client.get(url).content.decode()
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = href.replace("&amp;", "&")
            if match := re.fullmatch(r"/thu-tuc/([0-9.]+)/", href):
                found.add(match.group(1))
            elif (
                depth + 1 < 3 and href not in seen and not href.startswith(("/static", "/admin", "/api", "/tai-khoan"))
            ):
                seen.add(href)
                queue.append((href, depth + 1))

    assert published <= found


@pytest.mark.parametrize("url", ["/linh-vuc/", "/co-quan/"])
def test_browse_pages(client, civil_status_catalogue, url):
    response = client.get(url)

    assert response.status_code == 200
    assert "Hộ tịch" in response.content.decode() or "UBND phường Hoa Lư" in response.content.decode()


def test_vietnamese_even_when_the_browser_asks_for_english(client, civil_status_catalogue):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="vi">' in response.content.decode()


def test_english_is_the_second_language(client, civil_status_catalogue):
    client.post("/ngon-ngu/", {"language": "en", "next": "/"})
    response = client.get("/")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Find an administrative procedure" in html
    assert "Tìm thủ tục hành chính" not in html


def test_a_filter_keeps_the_words_typed(client, civil_status_catalogue):
    page = client.get(reverse("procedures:index"), {"q": "khai sinh", "level": "full"}).content.decode()

    assert 'href="?q=khai+sinh&amp;level=full&amp;sector=HOTICH"' in page
    assert 'href="?q=khai+sinh&amp;level=partial"' in page
    filtered = client.get(reverse("procedures:index"), {"q": "khai sinh", "sector": "HOTICH"})
    assert "Kết quả tìm kiếm cho “khai sinh”" in filtered.content.decode()
