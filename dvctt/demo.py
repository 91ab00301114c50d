"""Demo data for `make run`: the catalogue of Tỉnh Ninh Bình and one user per role.

Everything goes through the apps' services, so loading twice changes nothing.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from accounts.constants import Role
from accounts.models import User
from accounts.security import requires_two_factor
from accounts.services import user_ensure
from accounts.two_factor import demo_device_ensure
from dossiers.constants import Channel
from dossiers.services import dossier_act, dossier_submit
from eforms.selectors import form_version_current
from eforms.services import form_import, form_version_publish
from procedures.constants import AgencyLevel, OnlineLevel
from procedures.models import Agency, Procedure
from procedures.services import ImportReport, procedures_import, reference_data_load
from workflows.constants import Action
from workflows.defaults import department_definition, ward_definition
from workflows.selectors import workflow_version_current
from workflows.services import workflow_draft_save, workflow_version_publish

DEMO_DIR = Path(__file__).resolve().parent.parent / "procedures" / "demo"
# One interactive e-form per file, named after the procedure's code.
DEMO_EFORMS_DIR = Path(__file__).resolve().parent.parent / "eforms" / "demo"
DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - published demo accounts, never used in production
HOA_LU_WARD = 14329  # Phường Hoa Lư, Ninh Bình (vietnam-provinces code), where the demo citizen lives
HOA_LU_UBND = "000.00.41.H42"
LAND_OFFICE = "000.01.06.H42"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    full_name: str
    note: str
    agency_codes: tuple[str, ...] = ()
    position: str = ""
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("037090001234", Role.CITIZEN, "Nguyễn Văn An", "công dân, đăng nhập bằng số định danh"),
    DemoAccount("tiepnhan", Role.RECEPTION_OFFICER, "Trần Thị Bình", "một cửa UBND phường Hoa Lư", (HOA_LU_UBND,), "Công chức một cửa"),
    DemoAccount("chuyenvien", Role.SPECIALIST, "Lê Văn Cường", "tư pháp – hộ tịch phường Hoa Lư", (HOA_LU_UBND,), "Công chức tư pháp – hộ tịch"),
    DemoAccount("lanhdao", Role.LEADER, "Phạm Thị Dung", "Chủ tịch UBND phường Hoa Lư", (HOA_LU_UBND,), "Chủ tịch"),
    DemoAccount("vanthu", Role.CLERK, "Hoàng Văn Em", "văn thư UBND phường Hoa Lư", (HOA_LU_UBND,), "Văn thư"),
    DemoAccount("tiepnhan.datdai", Role.RECEPTION_OFFICER, "Vũ Thị Giang", "Văn phòng Đăng ký đất đai", (LAND_OFFICE,), "Viên chức tiếp nhận"),
    DemoAccount("tiepnhan.tinh", Role.RECEPTION_OFFICER, "Ngô Thị Lan", "một cửa tại Trung tâm Phục vụ hành chính công tỉnh, tiếp nhận cho Sở Y tế và Sở Nội vụ", ("000.00.08.H42", "000.00.02.H42"), "Công chức một cửa"),
    DemoAccount("quantri", Role.PROVINCE_ADMIN, "Đỗ Văn Hải", "quản trị cấp tỉnh: thiết lập dịch vụ trực tuyến ở /quan-tri/dich-vu/, quản trị /admin/"),
    DemoAccount("admin", Role.PROVINCE_ADMIN, "Quản trị hệ thống", "siêu quản trị kỹ thuật", is_superuser=True),
)  # fmt: skip


def _read(name: str) -> object:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def demo_load() -> ImportReport:
    reference_data_load(sectors=_read("sectors.json"), agencies=_read("agencies.json"))  # type: ignore[arg-type]
    catalogue = _read("catalogue.json")
    report = procedures_import(rows=catalogue["procedures"])  # type: ignore[index]
    _demo_workflows()
    _demo_eforms()
    for account in DEMO_ACCOUNTS:
        citizen = account.role == Role.CITIZEN
        user, _created = user_ensure(
            username=account.username,
            password=DEMO_PASSWORD,
            role=account.role,
            full_name=account.full_name,
            email=f"{account.username.replace('.', '-')}@demo.dichvucong.example.vn",
            phone="0912345678" if citizen else "",
            citizen_id=account.username if citizen else "",
            date_of_birth=dt.date(1990, 3, 15) if citizen else None,
            province_code=37 if citizen else None,
            ward_code=HOA_LU_WARD if citizen else None,
            address="Số 12, đường Trần Hưng Đạo" if citizen else "",
            agency_codes=account.agency_codes,
            position=account.position,
            is_superuser=account.is_superuser,
        )
        if requires_two_factor(user):
            # Officers and admins confirm logins with TOTP: the published demo secret
            # (README; `manage.py demo_totp <username>` prints the current code).
            demo_device_ensure(user=user)
    _demo_dossiers()
    return report


# (key, procedure, agency, channel, actions taken by (username, action)) for the officers' queues.
DEMO_DOSSIERS = (
    ("ks-1", "1.001193", HOA_LU_UBND, Channel.ONLINE, ()),
    ("tl-1", "2.000635", HOA_LU_UBND, Channel.ONLINE, (("tiepnhan", Action.RECEIVE), ("tiepnhan", Action.FORWARD))),
    ("kt-1", "1.000656", HOA_LU_UBND, Channel.ONLINE,
     (("tiepnhan", Action.RECEIVE), ("tiepnhan", Action.FORWARD), ("chuyenvien", Action.FORWARD))),
    ("bs-1", "2.000908", HOA_LU_UBND, Channel.DIRECT, ()),
    ("dd-1", "1.012756", LAND_OFFICE, Channel.ONLINE, ()),
)  # fmt: skip


def _demo_dossiers() -> None:
    """A few dossiers at different steps, so every demo officer finds work in the queue."""
    citizen = User.objects.get(username=DEMO_ACCOUNTS[0].username)
    for key, code, agency_code, channel, actions in DEMO_DOSSIERS:
        officer = User.objects.get(username="tiepnhan.datdai" if agency_code == LAND_OFFICE else "tiepnhan")
        dossier = dossier_submit(
            procedure=Procedure.objects.get(code=code),
            agency=Agency.objects.get(code=agency_code),
            channel=channel,
            applicant=citizen,
            applicant_name=citizen.full_name,
            applicant_id_number=citizen.citizen_id,
            applicant_phone=citizen.phone,
            applicant_email=citizen.email,
            actor=officer if channel == Channel.DIRECT else None,
            idempotency_key=f"demo-{key}",
        )
        for index, (username, action) in enumerate(actions):
            dossier_act(
                dossier_id=dossier.pk,
                actor=User.objects.get(username=username),
                action=action,
                idempotency_key=f"demo-{key}-{index}",
            )


def _demo_eforms() -> None:
    """Publish the demo e-forms (the birth registration form the citizen journey fills)."""
    for path in sorted(DEMO_EFORMS_DIR.glob("*.json")):
        procedure = Procedure.objects.get(code=path.stem)
        if form_version_current(procedure=procedure) is None:
            form_version_publish(version=form_import(procedure=procedure, raw=path.read_bytes()))


def _demo_workflows() -> None:
    """A published default workflow for every demo procedure that takes dossiers."""
    procedures = Procedure.objects.exclude(online_level=OnlineLevel.INFORMATION).prefetch_related(
        "implementing_agencies"
    )
    for procedure in procedures:
        if workflow_version_current(procedure=procedure) is not None:
            continue
        ward_only = all(a.level == AgencyLevel.WARD for a in procedure.implementing_agencies.all())
        definition = ward_definition() if ward_only else department_definition()
        workflow_version_publish(version=workflow_draft_save(procedure=procedure, definition=definition))
