"""A NUL character in a page's address or query is a 400 with a Vietnamese page, never a 500
(PostgreSQL refuses NUL in text; schemathesis found it in the API, which answers 404 itself)."""

import pytest

from accounts.constants import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/thu-tuc/%00/",
    "/thu-tuc/%00/nop-ho-so/",
    "/ho-so-cua-toi/%00/",
    "/can-bo/ho-so/%00/",
    "/tra-cuu/%00/?k=1",
    "/thu-tuc/?q=khai%00sinh",
    "/tra-cuu/?ma%00=1",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [None, Role.CITIZEN, Role.RECEPTION_OFFICER])
def test_a_nul_in_the_address_is_a_clear_400(client, path, role):
    if role is not None:
        client.force_login(UserFactory(role=role))
    response = client.get(path)
    assert response.status_code == 400
    assert "Địa chỉ bạn mở có ký tự không hợp lệ" in response.content.decode()


def test_ordinary_addresses_pass(client):
    assert client.get("/thu-tuc/?q=khai+sinh").status_code == 200
