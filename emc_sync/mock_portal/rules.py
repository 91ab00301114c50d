"""The stand-in's checks that a JSON Schema says badly: per status, and between fields.

Pure functions over one record that has already passed its schema (types and names are right),
read from DOMAIN.md. Each rule is named and yields problems as (field, Vietnamese text); the
field is a path inside the record ("DanhSachLePhi[0].Gia", "" for the record itself).
Where DOMAIN.md does not say, the rule is a documented assumption about the real API (listed
in docs/national-sync.md, "What the stand-in checks").
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]
Problem = tuple[str, str]

STATUS_NAMES: Mapping[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
ONLINE = 2
CITIZEN_ID = 1
CITIZEN = 1

# What a record must carry in each TrangThaiHoSo (beyond what every record carries). A list
# must have at least one item. From DOMAIN.md and the brief: 3 the refusal date; every
# received status the due date; 5 the supplement request; 9 and 10 the end of processing,
# 10 the return date. Assumptions: 6 lists what is to be paid; 7 and 8 end processing too
# (the national on-time indicator takes the stop or withdrawal time as the end).
REQUIRED_BY_STATUS: Mapping[int, tuple[str, ...]] = {
    1: (),
    2: ("NgayHenTra",),
    3: ("NgayTuChoi",),
    4: ("NgayHenTra",),
    5: ("NgayHenTra", "DanhSachHoSoBoSung"),
    6: ("NgayHenTra", "DanhSachLePhi"),
    7: ("NgayHenTra", "NgayKetThucXuLy"),
    8: ("NgayHenTra", "NgayKetThucXuLy"),
    9: ("NgayHenTra", "NgayKetThucXuLy"),
    10: ("NgayHenTra", "NgayKetThucXuLy", "NgayTra"),
}
# Dates that contradict a status where they appear outside it (assumption: a refusal date on a
# dossier that was not refused, a return date before the return, an end before the end).
ONLY_IN_STATUS: Mapping[str, frozenset[int]] = {
    "NgayTuChoi": frozenset({3}),
    "NgayTra": frozenset({10}),
    "NgayKetThucXuLy": frozenset({7, 8, 9, 10}),
}
# (earlier, later): when both are present the first is not after the second. Same format, so
# the strings compare as the moments do.
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("NgayNopHoSo", "NgayTiepNhan"),
    ("NgayTiepNhan", "NgayHenTra"),
    ("NgayTiepNhan", "NgayKetThucXuLy"),
    ("NgayKetThucXuLy", "NgayTra"),
)


def _present(record: Record, name: str) -> bool:
    value = record.get(name)
    return value not in (None, "", [])


def _status(record: Record) -> str:
    status = record["TrangThaiHoSo"]
    return f"{status} ({STATUS_NAMES[status]})"


def required_by_status(record: Record) -> Iterator[Problem]:
    if "TrangThaiHoSo" not in record:
        return
    for name in REQUIRED_BY_STATUS[record["TrangThaiHoSo"]]:
        if not _present(record, name):
            what = "phải có ít nhất một mục" if name.startswith("Danh") else "bắt buộc"
            yield name, f"{what} khi TrangThaiHoSo là {_status(record)}"


def dates_only_in_their_status(record: Record) -> Iterator[Problem]:
    if "TrangThaiHoSo" not in record:
        return
    for name, statuses in ONLY_IN_STATUS.items():
        if _present(record, name) and record["TrangThaiHoSo"] not in statuses:
            allowed = ", ".join(str(status) for status in sorted(statuses))
            yield name, f"chỉ được gửi khi TrangThaiHoSo là {allowed}, hồ sơ đang ở {_status(record)}"


def dates_in_order(record: Record) -> Iterator[Problem]:
    for earlier, later in DATE_ORDER:
        if _present(record, earlier) and _present(record, later) and record[earlier] > record[later]:
            yield later, f"{record[later]} sớm hơn {earlier} {record[earlier]}"


def applicant_national_id_only_online(record: Record) -> Iterator[Problem]:
    if _present(record, "MaDoiTuong") and record.get("KenhThucHien") != ONLINE:
        yield "MaDoiTuong", "chỉ dùng cho hồ sơ nộp trực tuyến (KenhThucHien 2)"


def citizen_ids_have_twelve_digits(record: Record) -> Iterator[Problem]:
    for index, item in enumerate(record.get("DinhDanhCHS") or []):
        number = item["SoDinhDanh"]
        if item["LoaiDinhDanh"] == CITIZEN_ID and not (len(number) == 12 and number.isdigit()):
            yield f"DinhDanhCHS[{index}].SoDinhDanh", f'"{number}" không phải số định danh cá nhân 12 chữ số'


def _reused(item: Record) -> bool:
    return item.get("DuocTaiSuDung") == 1 or item.get("DuocLayTuKhoDMQG") == 1 or _present(item, "MaKetQuaThayThe")


def reuse_flag_matches_the_files(record: Record) -> Iterator[Problem]:
    """HoSoCoThanhPhanSoHoa is 1 when the dossier reuses digitised data (DOMAIN.md), not when it
    merely has digitised files: it must agree with the files marked reused."""
    reused = any(_reused(item) for item in record.get("TaiLieuNop") or [])
    flag = record.get("HoSoCoThanhPhanSoHoa", 0)
    if flag == 1 and not reused:
        yield (
            "HoSoCoThanhPhanSoHoa",
            "là 1 nhưng không tệp nào trong TaiLieuNop được tái sử dụng "
            "(DuocTaiSuDung, DuocLayTuKhoDMQG hoặc MaKetQuaThayThe)",
        )
    if flag != 1 and reused:
        yield "HoSoCoThanhPhanSoHoa", "phải là 1 vì TaiLieuNop có tệp được tái sử dụng dữ liệu số hóa"


def reused_file_names_what_replaced_it(record: Record) -> Iterator[Problem]:
    for index, item in enumerate(record.get("TaiLieuNop") or []):
        if item.get("DuocTaiSuDung") == 1 and not _present(item, "MaKetQuaThayThe"):
            yield f"TaiLieuNop[{index}].MaKetQuaThayThe", "bắt buộc khi DuocTaiSuDung là 1 (kết quả được tái sử dụng)"


def online_payment_has_a_fee(record: Record) -> Iterator[Problem]:
    paid_online = record.get("DuocThanhToanTrucTuyen") in (1, 2)
    if paid_online and not any(fee["Gia"] > 0 for fee in record.get("DanhSachLePhi") or []):
        yield "DanhSachLePhi", "phải có một khoản Gia lớn hơn 0 khi DuocThanhToanTrucTuyen là 1 hoặc 2"


def deadline_not_before_start(record: Record) -> Iterator[Problem]:
    start, end = record.get("NgayBatDau"), record.get("NgayKetThucTheoQuyDinh")
    if start and end and start > end:
        yield "NgayKetThucTheoQuyDinh", f"{end} sớm hơn NgayBatDau {start}"


def user_is_named(record: Record) -> Iterator[Problem]:
    """A dossier with no local account has no ID_local (forwarded by DVCQG, taken at the desk):
    allowed, as long as the user is named one way or the other."""
    user = record["User"]
    if not _present(user, "ID_local") and not _present(user, "ID_QG"):
        yield "User", "cần ít nhất một trong ID_local, ID_QG"
    if record["IsFromDVCQG"] == 1 and not _present(user, "ID_QG"):
        yield "User.ID_QG", "bắt buộc khi IsFromDVCQG là 1 (hồ sơ từ Cổng DVCQG)"
    national = user.get("ID_QG", "")
    if national and user["TYPE"] == CITIZEN and not (len(national) == 12 and national.isdigit()):
        yield "User.ID_QG", f'"{national}" không phải số định danh cá nhân 12 chữ số (TYPE 1, công dân)'


def national_portal_dossiers_are_online(record: Record) -> Iterator[Problem]:
    if record["IsFromDVCQG"] == 1 and record["FormsReception"] != 1:
        yield "FormsReception", "phải là 1 (trực tuyến) khi IsFromDVCQG là 1"


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[Record], Iterator[Problem]]


def _rules(*checks: Callable[[Record], Iterator[Problem]]) -> tuple[Rule, ...]:
    return tuple(Rule(check.__name__, check) for check in checks)


_SHARED = (
    applicant_national_id_only_online,
    citizen_ids_have_twelve_digits,
    reuse_flag_matches_the_files,
    reused_file_names_what_replaced_it,
    online_payment_has_a_fee,
    dates_in_order,
)
RULES: Mapping[str, tuple[Rule, ...]] = {
    "hoso": _rules(required_by_status, dates_only_in_their_status, *_SHARED),
    "hoso_moi": _rules(*_SHARED),
    "tiendo": _rules(deadline_not_before_start),
    "emc_sukien": _rules(user_is_named, national_portal_dossiers_are_online),
}


def rule_problems(name: str, record: Record) -> list[Problem]:
    """Every problem the rules of schema `name` find in one (schema-valid) record."""
    return [problem for rule in RULES.get(name, ()) for problem in rule.check(record)]
