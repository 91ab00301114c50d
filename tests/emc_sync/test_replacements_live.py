"""Resolution 66.7/2025 against the stand-in running as its own process: components replaced by
the population and civil status databases are read over real sockets at filing, and the
dossier record that reports them (MaKetQuaThayThe, DSKetNoiCSDL) passes the strict stand-in."""

import pytest
import requests
from django.core.cache import cache

from dossiers.constants import ReplacementState
from dossiers.models import ComponentReplacement
from emc_sync.constants import OutboxState, Target
from emc_sync.models import OutboxRow
from procedures.constants import DatabaseLookup
from procedures.models import NationalDatabase
from tests.factories import ComponentFactory

from .conftest import drain_all, submit


@pytest.fixture
def registry(live, settings):
    settings.POPULATION_REGISTRY_URL = f"{live}/dancu"
    settings.POPULATION_REGISTRY_TOKEN_URL = f"{live}/oauth/token"
    settings.NATIONAL_DATABASES_URL = f"{live}/csdl"
    cache.clear()
    return live


def database(code, name, lookup=DatabaseLookup.SECTOR):
    return NationalDatabase.objects.get_or_create(code=code, defaults={"name": name, "lookup": lookup})[0]


def test_replaced_components_are_read_at_filing_and_reported_to_the_national_portal(office, registry):
    # given a procedure whose identity card and birth certificate copy are replaced by databases,
    # and whose business registration would be (the citizen has none)
    procedure = office["procedure"]
    population = database("CSDLQGDC", "Cơ sở dữ liệu quốc gia về dân cư", DatabaseLookup.POPULATION)
    identity = ComponentFactory(procedure=procedure, name="Căn cước công dân", replaced_by=population, order=1)
    birth = ComponentFactory(
        procedure=procedure, name="Bản sao Giấy khai sinh", replaced_by=database("CSDLHTDT", "CSDL hộ tịch"), order=2
    )
    ComponentFactory(
        procedure=procedure, name="Giấy phép kinh doanh", replaced_by=database("CSDLQGDKDN", "CSDL DN"), order=3
    )

    # when the citizen files (business registration holds nothing for her id number)
    dossier = submit(office, applicant_id_number="037195004321", applicant_name="Trần Thị Mai")

    # then each component says what replaced it, or why nothing did
    rows = {row.component_id: row for row in ComponentReplacement.objects.filter(dossier=dossier)}
    assert (rows[identity.pk].state, rows[identity.pk].record_id, rows[identity.pk].data["HoVaTen"]) == (
        ReplacementState.READ, "037195004321", "Trần Thị Mai",
    )  # fmt: skip
    assert (rows[birth.pk].state, rows[birth.pk].record_id) == (ReplacementState.READ, "HT-KS-1995-004321")
    assert len(rows) == 3
    assert [row.state for row in rows.values()].count(ReplacementState.NOT_FOUND) == 1
    # and the submission's record names the databases and records, and the strict stand-in takes it
    record = OutboxRow.objects.get(target=Target.DVCQG_HOSO).payload
    assert [item.get("MaKetQuaThayThe") for item in record["TaiLieuNop"]] == [
        "CSDLQGDC:037195004321", "CSDLHTDT:HT-KS-1995-004321",
    ]  # fmt: skip
    assert record["DSKetNoiCSDL"] == [{"MaCSDL": "CSDLQGDC"}, {"MaCSDL": "CSDLHTDT"}]
    assert record["HoSoCoThanhPhanSoHoa"] == 1
    drain_all()
    assert list(OutboxRow.objects.filter(state=OutboxState.FAILED).values_list("last_response", flat=True)) == []
    held = requests.get(f"{registry}/control/received", params={"ma_ho_so": dossier.code}, timeout=10).json()
    assert [item["payload"]["DSKetNoiCSDL"] for item in held["items"] if item["target"] == "dvcqg"] == [
        [{"MaCSDL": "CSDLQGDC"}, {"MaCSDL": "CSDLHTDT"}]
    ]
