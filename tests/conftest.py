import pytest
from django.utils import translation

from procedures.constants import AgencyLevel
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory

# One Chromium for the whole run (`browser`), the demo site (`demo_site`), axe; one ClamAV daemon
# (`clamd_socket`, `clamav_on`); a real S3 server (`s3_server`, `s3_bucket`): any folder may use them.
pytest_plugins = ["tests.browser_support", "tests.clamav_support", "tests.s3"]


@pytest.fixture(autouse=True)
def vietnamese():
    """Each test starts in Vietnamese: a request in English must not leak into the next test."""
    with translation.override("vi"):
        yield


@pytest.fixture
def civil_status_catalogue(db):
    """Procedures whose names look alike, so ranking is actually tested."""
    hotich = SectorFactory(code="HOTICH", name="Hộ tịch")
    dat_dai = SectorFactory(code="DATDAI", name="Đất đai")
    ward = AgencyFactory(code="000.31.37.H42", name="UBND phường Hoa Lư", level=AgencyLevel.WARD)
    names = {
        "1.001193": ("Đăng ký khai sinh", hotich, 900),
        "1.004884": ("Đăng ký lại khai sinh", hotich, 100),
        "1.001695": ("Đăng ký khai sinh có yếu tố nước ngoài", hotich, 50),
        "1.000689": ("Đăng ký khai sinh kết hợp nhận cha, mẹ, con", hotich, 40),
        "1.000894": ("Đăng ký kết hôn", hotich, 700),
        "1.000656": ("Đăng ký khai tử", hotich, 400),
        "1.012756": ("Đăng ký đất đai lần đầu (đất được giao để quản lý)", dat_dai, 300),
        "1.012783": ("Cấp đổi giấy chứng nhận quyền sử dụng đất", dat_dai, 200),
    }
    created = {}
    for code, (name, sector, popularity) in names.items():
        created[code] = ProcedureFactory(code=code, name=name, sector=sector, popularity=popularity, agencies=[ward])
    created["draft"] = ProcedureFactory(code="2.999999", name="Đăng ký khai sinh (bản nháp)", draft=True)
    created["partial"] = ProcedureFactory(code="2.000815", name="Chứng thực bản sao từ bản chính", partial=True)
    return created
