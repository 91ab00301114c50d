from django.urls import reverse

from tests.factories import AgencyFactory, DossierFactory, UserFactory


def test_officer_reads_own_agency_dossier_with_its_events(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=office["agency"])
    client.force_login(office["people"]["reception_officer"])

    body = client.get(reverse("api:dossier-detail", args=[dossier.code])).json()

    assert body["code"] == dossier.code
    assert body["status"] == 1
    assert body["events"] == []


def test_the_detail_says_how_the_applicant_receives_the_result(client, office):
    dossier = DossierFactory(
        procedure=office["procedure"], agency=office["agency"], result_delivery="post", result_address="Số 1 Lê Lợi"
    )
    client.force_login(office["people"]["reception_officer"])

    body = client.get(reverse("api:dossier-detail", args=[dossier.code])).json()

    assert (body["result_delivery"], body["result_address"]) == ("post", "Số 1 Lê Lợi")


def test_officer_of_another_agency_gets_404(client, office):
    dossier = DossierFactory(procedure=office["procedure"], agency=AgencyFactory(code="000.00.99.H42"))
    client.force_login(office["people"]["reception_officer"])

    response = client.get(reverse("api:dossier-detail", args=[dossier.code]))

    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy hồ sơ."}


def test_citizen_lists_only_own_dossiers(client, office):
    mine = DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=office["people"]["citizen"])
    DossierFactory(procedure=office["procedure"], agency=office["agency"], applicant=UserFactory())
    client.force_login(office["people"]["citizen"])

    body = client.get(reverse("api:dossier-list")).json()

    assert [d["code"] for d in body["results"]] == [mine.code]


def test_officer_queue_api_pages_with_a_cursor(client, office):
    for _ in range(25):
        DossierFactory(procedure=office["procedure"], agency=office["agency"])
    client.force_login(office["people"]["reception_officer"])

    first = client.get(reverse("api:dossier-list"), {"tab": "cho-tiep-nhan"}).json()
    second = client.get(reverse("api:dossier-list"), {"tab": "cho-tiep-nhan", "after": first["next"]}).json()

    assert len(first["results"]) == 20
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert not {d["code"] for d in first["results"]} & {d["code"] for d in second["results"]}


def test_dossier_api_needs_a_login(client, db):
    assert client.get(reverse("api:dossier-list")).status_code == 403
