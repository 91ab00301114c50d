"""Back-office mode (CITIZEN_FILING_ENABLED off): citizens file on Cổng DVCQG; the catalogue
sends them there, filing pages say so, and what was filed here stays reachable."""

import pytest
from django.urls import reverse

from dossiers.models import DossierDraft
from tests.factories import DossierFactory


@pytest.fixture
def back_office(settings):
    settings.CITIZEN_FILING_ENABLED = False


def test_the_catalogue_sends_citizens_to_the_national_portal(client, office, back_office):
    page = client.get(reverse("procedures:detail", args=[office["procedure"].code])).content.decode()

    assert "Nộp hồ sơ trên Cổng Dịch vụ công quốc gia" in page
    assert f"keyword={office['procedure'].code}" in page
    assert reverse("dossiers:start", args=[office["procedure"].code]) not in page


def test_filing_pages_say_where_to_file_and_create_nothing(client, office, back_office):
    client.force_login(office["people"]["citizen"])

    answer = client.post(reverse("dossiers:start", args=[office["procedure"].code]), {"agency": office["agency"].pk})

    assert answer.status_code == 410
    assert "Từ ngày 01/7/2025, hồ sơ thủ tục hành chính được nộp trực tuyến trên Cổng Dịch vụ công quốc gia" in (
        answer.content.decode()
    )
    assert not DossierDraft.objects.exists()


def test_dossiers_filed_here_and_the_public_lookup_stay(client, office, back_office):
    citizen = office["people"]["citizen"]
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=citizen)
    client.force_login(citizen)

    assert client.get(reverse("dossiers:my_dossier", args=[dossier.code])).status_code == 200
    assert client.get(reverse("dossiers:public_status_search")).status_code == 200


def test_with_the_front_on_the_catalogue_starts_a_filing_here(client, office):
    page = client.get(reverse("procedures:detail", args=[office["procedure"].code])).content.decode()

    assert reverse("dossiers:start", args=[office["procedure"].code]) in page
