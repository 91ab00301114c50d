"""Resolution 66.7/2025/NQ-CP: a component replaced by national data is not asked of the citizen,
is read at filing (the databases answered by `responses`; the live stand-in run is in
tests/emc_sync/test_replacements_live.py), is shown to the officer and reported."""

import pytest
import responses
from django.urls import reverse

from accounts.constants import Role
from dossiers.constants import Channel, ReplacementState
from dossiers.models import ComponentReplacement, Dossier
from dossiers.services import dossier_submit
from procedures.constants import DatabaseLookup
from procedures.models import NationalDatabase
from tests.factories import ComponentFactory
from tests.stores import clear_caches

from .test_citizen_journey import fill_form, start_draft, submit, upload

REGISTRY = "http://registry.test"
CIVIL_STATUS = f"{REGISTRY}/csdl/CSDLHTDT/037090001234"


@pytest.fixture
def registry(settings):
    settings.POPULATION_REGISTRY_URL = f"{REGISTRY}/dancu"
    settings.POPULATION_REGISTRY_TOKEN_URL = f"{REGISTRY}/oauth/token"
    settings.NATIONAL_DATABASES_URL = f"{REGISTRY}/csdl"
    clear_caches()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{REGISTRY}/oauth/token", json={"access_token": "tok", "expires_in": 3600})
        yield mock
    clear_caches()


def civil_status():
    return NationalDatabase.objects.get_or_create(
        code="CSDLHTDT", defaults={"name": "Cơ sở dữ liệu hộ tịch điện tử", "lookup": DatabaseLookup.SECTOR}
    )[0]


@pytest.fixture
def replaced(service):
    """The service's procedure with a birth certificate copy replaced by the civil status database."""
    component = ComponentFactory(
        procedure=service["procedure"], name="Bản sao Giấy khai sinh", required=True, replaced_by=civil_status()
    )
    return {**service, "replaced": component}


def birth_record(mock):
    mock.get(
        CIVIL_STATUS,
        json={"error_code": "0", "MaCSDL": "CSDLHTDT", "MaBanGhi": "HT-KS-1990-000315",
              "DuLieu": {"LoaiViecHoTich": "Khai sinh", "SoDangKy": "315/1990"}},
    )  # fmt: skip


def test_the_citizen_is_not_asked_and_the_officer_sees_what_replaced_it(client, replaced, registry):
    # given the citizen files online; the civil status database holds their birth record
    birth_record(registry)
    citizen = replaced["citizen"]
    citizen.citizen_id = "037090001234"
    citizen.save(update_fields=["citizen_id"])
    client.force_login(citizen)
    draft = start_draft(client, replaced)
    fill_form(client, draft)

    # when they reach the files step: no upload box for the replaced component, a notice instead
    page = client.get(reverse("dossiers:draft_files", args=[draft.token])).content.decode()
    assert "Bản sao Giấy khai sinh: Cơ sở dữ liệu hộ tịch điện tử" in page
    assert f'name="component" value="{replaced["replaced"].pk}"' not in page
    assert f'value="{replaced["component"].pk}"' in page
    # and they submit with only the other document
    upload(client, draft, replaced["component"])
    response = submit(client, draft)

    # then filed; the component was read from the database at filing, with its record
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    replacement = ComponentReplacement.objects.get()
    assert (replacement.dossier, replacement.component, replacement.state, replacement.record_id, replacement.data) == (
        dossier, replaced["replaced"], ReplacementState.READ, "HT-KS-1990-000315",
        {"LoaiViecHoTich": "Khai sinh", "SoDangKy": "315/1990"},
    )  # fmt: skip
    assert registry.calls[-1].request.headers["Authorization"] == "Bearer tok"
    # and the reception officer sees which database and record replaced it
    client.force_login(replaced["people"][Role.RECEPTION_OFFICER])
    detail = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "Thay thế bằng dữ liệu từ Cơ sở dữ liệu hộ tịch điện tử, bản ghi HT-KS-1990-000315" in detail
    assert "315/1990" in detail


@pytest.mark.parametrize(
    ("answer", "state"),
    [({"status": 404, "json": {"error_code": "3"}}, ReplacementState.NOT_FOUND), ({"status": 503}, ReplacementState.UNAVAILABLE)],
    ids=["no-record", "database-down"],
)  # fmt: skip
def test_a_database_without_the_record_or_down_never_stops_the_filing_and_says_so(replaced, registry, answer, state):
    # given
    registry.get(CIVIL_STATUS, **answer)

    # when an officer files at the desk
    dossier = dossier_submit(
        procedure=replaced["procedure"], agency=replaced["agency"], channel=Channel.DIRECT, applicant_name="Nguyễn Văn An",
        applicant_id_number="037090001234", actor=replaced["people"][Role.RECEPTION_OFFICER],
    )  # fmt: skip

    # then the dossier is filed; the row says why nothing replaced the component
    replacement = ComponentReplacement.objects.get(dossier=dossier)
    assert (replacement.state, replacement.record_id, replacement.data) == (state, "", {})


def test_the_draft_check_does_not_ask_for_a_replaced_component(replaced):
    from dossiers.attachments.services import attachment_check_complete
    from dossiers.drafts.services import draft_start

    draft = draft_start(owner=replaced["citizen"], procedure=replaced["procedure"], agency=replaced["agency"])

    assert attachment_check_complete(draft=draft) == [replaced["component"]]
