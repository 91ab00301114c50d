import copy

import pytest

from workflows.constants import Action, Status
from workflows.defaults import department_definition, ward_definition
from workflows.engine import allowed_actions, plan_transition, validate_definition
from workflows.exceptions import ActionNotAllowed


def test_shipped_definitions_are_valid():
    assert validate_definition(department_definition()) == []
    assert validate_definition(ward_definition()) == []


def broken(change):
    definition = copy.deepcopy(department_definition())
    change(definition["steps"])
    return definition


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.clear(), "Quy trình phải có ít nhất một bước."),
        (lambda s: s[0]["actions"].pop(0), "Bước đầu tiên phải có thao tác “Tiếp nhận hồ sơ”."),
        (lambda s: s[1].update(share=50), "Tổng tỷ lệ thời gian các bước phải bằng 100% (hiện là 90%)."),
        (lambda s: s[1].update(role="citizen"), "Bước 2: vai trò “citizen” không hợp lệ."),
        (lambda s: s[1].update(key="tiep_nhan"), "Bước 2: mã bước “tiep_nhan” bị trùng."),
        (lambda s: s[2]["actions"][0].pop("to"), "Bước 3: thao tác “Phê duyệt, ký” phải chỉ rõ bước chuyển đến."),
        (
            lambda s: s[2]["actions"][0].update(to="khong_co"),
            "Bước “phe_duyet”: bước chuyển đến “khong_co” không tồn tại.",
        ),
        (lambda s: s[0]["actions"].append({"action": "fly"}), "Bước 1: thao tác “fly” không hợp lệ."),
        (lambda s: s[0]["actions"].append({"action": "withdraw"}), "Bước 1: thao tác “withdraw” không hợp lệ."),
        (lambda s: s[4]["actions"].clear(), "Bước 5: phải có ít nhất một thao tác."),
        (lambda s: s[2]["actions"].pop(0), "Bước “Vào số, phát hành” không thể đi đến từ bước đầu tiên."),
    ],
)
def test_invalid_definitions_are_explained(change, message):
    assert message in validate_definition(broken(change))


def test_a_loop_without_an_exit_is_refused():
    # approve now loops back: no path from approval (or review) reaches returning the result
    definition = broken(lambda s: s[2]["actions"].__setitem__(0, {"action": "approve", "to": "tham_dinh"}))

    errors = validate_definition(definition)

    assert "Từ bước “Phê duyệt, ký” không có đường đi đến bước trả kết quả." in errors
    assert "Từ bước “Thẩm định, xử lý” không có đường đi đến bước trả kết quả." in errors


def test_garbage_is_refused_without_crashing():
    assert validate_definition("steps") == ["Quy trình phải có danh sách các bước (“steps”)."]
    assert validate_definition({"steps": [42]}) == ["Bước 1: phải là một đối tượng."]


def test_allowed_actions_follow_step_role_and_status():
    definition = department_definition()

    assert allowed_actions(definition, step_key="tiep_nhan", status=Status.NEW, role="reception_officer") == [
        Action.RECEIVE, Action.REFUSE, Action.REQUEST_SUPPLEMENT,
    ]  # fmt: skip
    assert allowed_actions(definition, step_key="tiep_nhan", status=Status.NEW, role="specialist") == []
    assert allowed_actions(definition, step_key="tiep_nhan", status=Status.SUPPLEMENT_REQUESTED, role="citizen") == [
        Action.PROVIDE_SUPPLEMENT, Action.WITHDRAW,
    ]  # fmt: skip


def test_moving_into_the_return_step_finishes_processing():
    plan = plan_transition(
        department_definition(),
        step_key="van_thu",
        status=Status.PROCESSING,
        action=Action.NUMBER_DISPATCH,
        role="clerk",
    )

    assert (plan.to_step, plan.to_status, plan.finishes, plan.ends) == ("tra_ket_qua", Status.PROCESSED, True, False)


def test_wrong_role_gets_a_vietnamese_reason():
    with pytest.raises(ActionNotAllowed, match="Bước “Phê duyệt, ký” do vai trò khác thực hiện"):
        plan_transition(
            department_definition(),
            step_key="phe_duyet",
            status=Status.PROCESSING,
            action=Action.APPROVE,
            role="specialist",
        )


def test_only_the_citizen_withdraws():
    with pytest.raises(ActionNotAllowed, match="Chỉ người nộp hồ sơ mới được rút hồ sơ."):
        plan_transition(
            department_definition(),
            step_key="tiep_nhan",
            status=Status.NEW,
            action=Action.WITHDRAW,
            role="reception_officer",
        )
