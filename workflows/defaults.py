"""Default workflows shipped for the demo procedures; a province admin edits copies of them."""

from typing import Any


def _step(key: str, name: str, role: str, share: int, *actions: tuple[str, str | None]) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "role": role,
        "agency": "competent",
        "share": share,
        "actions": [_action(a, t) for a, t in actions],
    }


def _action(action: str, to: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"action": action, **({"to": to} if to else {})}
    if action == "request_payment":
        # Land and tax obligations: the time the applicant takes to pay is not the agency's
        # (the default; a province admin changes it per workflow step).
        item["stops_clock"] = True
    return item


def department_definition() -> dict[str, Any]:
    """Department-level procedures: one-stop shop, specialist (who may ask for a financial
    obligation: land levy, taxes), leader, clerk, one-stop shop."""
    return {
        "steps": [
            _step(
                "tiep_nhan", "Tiếp nhận hồ sơ", "reception_officer", 10,
                ("receive", None), ("refuse", None), ("request_supplement", None), ("forward", "tham_dinh"),
            ),
            _step(
                "tham_dinh", "Thẩm định, xử lý", "specialist", 60,
                ("forward", "phe_duyet"), ("send_back", "tiep_nhan"), ("request_supplement", None),
                ("consult", None), ("request_payment", None), ("stop", None),
            ),
            _step("phe_duyet", "Phê duyệt, ký", "leader", 15, ("approve", "van_thu"), ("send_back", "tham_dinh")),
            _step("van_thu", "Vào số, phát hành", "clerk", 5, ("number_dispatch", "tra_ket_qua")),
            _step("tra_ket_qua", "Trả kết quả", "reception_officer", 10, ("return_result", None)),
        ]
    }  # fmt: skip


def ward_definition() -> dict[str, Any]:
    """Ward-level procedures (civil status, certification): no separate clerk step."""
    return {
        "steps": [
            _step(
                "tiep_nhan", "Tiếp nhận hồ sơ", "reception_officer", 10,
                ("receive", None), ("refuse", None), ("request_supplement", None), ("forward", "tham_dinh"),
            ),
            _step(
                "tham_dinh", "Thẩm định, xử lý", "specialist", 60,
                ("forward", "phe_duyet"), ("send_back", "tiep_nhan"), ("request_supplement", None), ("stop", None),
            ),
            _step("phe_duyet", "Phê duyệt, ký", "leader", 20, ("approve", "tra_ket_qua"), ("send_back", "tham_dinh")),
            _step("tra_ket_qua", "Trả kết quả", "reception_officer", 10, ("return_result", None)),
        ]
    }  # fmt: skip
