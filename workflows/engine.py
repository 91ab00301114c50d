"""The rules of processing: which action is allowed at which step, for whom, and where it leads.

Pure functions over a workflow version's definition (a JSON document, see
`workflows/schemas/workflow.json` for its shape). They know nothing of dossiers: the
dossier lifecycle service asks `plan_transition` and applies the answer.

A definition:
    {"steps": [
        {"key": "tiep_nhan", "name": "Tiếp nhận", "role": "reception_officer",
         "agency": "competent", "share": 10,
         "actions": [{"action": "receive"}, {"action": "forward", "to": "tham_dinh"}, ...]},
        ...]}
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts.constants import OFFICER_ROLES, Role

from .constants import (
    CITIZEN_ACTIONS,
    COMPETENT_AGENCY,
    ENDING_ACTIONS,
    IMPLIED_ACTIONS,
    MOVING_ACTIONS,
    Action,
    Status,
)
from .exceptions import ActionNotAllowed

MAX_STEPS = 20

# From which statuses each action may start, and the status it leads to. None: the
# status the dossier had before its pause (a supplement provided resumes processing).
_FROM: Mapping[Action, frozenset[Status]] = {
    Action.RECEIVE: frozenset({Status.NEW}),
    Action.REFUSE: frozenset({Status.NEW, Status.RECEIVED}),
    Action.REQUEST_SUPPLEMENT: frozenset({Status.NEW, Status.RECEIVED, Status.PROCESSING}),
    Action.FORWARD: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.SEND_BACK: frozenset({Status.RECEIVED, Status.PROCESSING}),
    Action.CONSULT: frozenset({Status.PROCESSING}),
    Action.APPROVE: frozenset({Status.PROCESSING}),
    Action.NUMBER_DISPATCH: frozenset({Status.PROCESSING}),
    Action.RETURN_RESULT: frozenset({Status.PROCESSED}),
    Action.STOP: frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_REQUESTED}),
    Action.PROVIDE_SUPPLEMENT: frozenset({Status.SUPPLEMENT_REQUESTED}),
    Action.WITHDRAW: frozenset(
        {Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED}
    ),
    Action.REQUEST_PAYMENT: frozenset({Status.PROCESSING}),
    Action.SETTLE_PAYMENT: frozenset({Status.PAYMENT_REQUESTED}),
}
_TO: Mapping[Action, Status | None] = {
    Action.RECEIVE: Status.RECEIVED,
    Action.REFUSE: Status.REFUSED,
    Action.REQUEST_SUPPLEMENT: Status.SUPPLEMENT_REQUESTED,
    Action.FORWARD: Status.PROCESSING,
    Action.SEND_BACK: Status.PROCESSING,
    Action.CONSULT: Status.PROCESSING,
    Action.APPROVE: Status.PROCESSING,
    Action.NUMBER_DISPATCH: Status.PROCESSING,
    Action.RETURN_RESULT: Status.RETURNED,
    Action.STOP: Status.STOPPED,
    Action.PROVIDE_SUPPLEMENT: None,
    Action.WITHDRAW: Status.WITHDRAWN,
    Action.REQUEST_PAYMENT: Status.PAYMENT_REQUESTED,
    Action.SETTLE_PAYMENT: Status.PROCESSING,
}


@dataclass(frozen=True)
class StepRule:
    key: str
    name: str
    role: str
    agency: str
    share: int
    actions: Mapping[Action, str | None]  # action -> target step key (None: stays)
    # Whether the clock stops while the applicant meets a financial obligation this step asks
    # for (the "stops_clock" of its request_payment action: data, set per workflow).
    payment_stops_clock: bool = False

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def returns_result(self) -> bool:
        return Action.RETURN_RESULT in self.actions

    def offers(self, action: Action) -> bool:
        """Listed at this step, or implied by what is listed (settling what the step requested)."""
        implied_by = IMPLIED_ACTIONS.get(action)
        return action in self.actions or (implied_by is not None and implied_by in self.actions)


@dataclass(frozen=True)
class TransitionPlan:
    action: Action
    from_step: str
    to_step: str
    to_role: str  # who acts at the target step (kept on the dossier for the queues)
    to_status: Status | None  # None: resume the status held before the pause
    opens_pause: bool
    closes_pause: bool
    finishes: bool  # the result is ready: finished_at is set, status becomes PROCESSED
    ends: bool  # no further action by officers (refused, stopped, returned, withdrawn)
    stops_clock: bool = False  # a financial obligation requested at a step whose rule stops the clock
    resumes_clock: bool = False  # the obligation met: a clock stopped for it runs again


def steps_of(definition: Mapping[str, Any]) -> list[StepRule]:
    """The steps of an already validated definition."""
    return [
        StepRule(
            key=step["key"],
            name=step["name"],
            role=step["role"],
            agency=step.get("agency", COMPETENT_AGENCY),
            share=int(step.get("share", 0)),
            actions={Action(a["action"]): a.get("to") for a in step["actions"]},
            payment_stops_clock=any(
                a["action"] == Action.REQUEST_PAYMENT and bool(a.get("stops_clock")) for a in step["actions"]
            ),
        )
        for step in definition["steps"]
    ]


def first_step(definition: Mapping[str, Any]) -> StepRule:
    return steps_of(definition)[0]


def allowed_actions(definition: Mapping[str, Any], *, step_key: str, status: Status, role: str) -> list[Action]:
    """Officer or citizen actions that `plan_transition` would accept now, in definition order."""
    step = _step(definition, step_key)
    candidates: Iterable[Action] = (
        [a for a in Action if a in CITIZEN_ACTIONS]
        if role == "citizen"
        else [*step.actions.keys(), *(a for a in IMPLIED_ACTIONS if step.offers(a))]
    )
    if role != "citizen" and role != step.role:
        return []
    return [a for a in candidates if status in _FROM[a]]


def plan_transition(
    definition: Mapping[str, Any],
    *,
    step_key: str,
    status: Status,
    action: Action,
    role: str,
    to_step: str | None = None,
) -> TransitionPlan:
    """Where `action` by someone in `role` leads from (step, status); raises ActionNotAllowed.

    `to_step` chooses among several targets of the same action when a step offers them
    (e.g. send back to either of two earlier steps); by default the one in the definition.
    """
    step = _step(definition, step_key)
    if action in CITIZEN_ACTIONS:
        if role != "citizen" and action == Action.WITHDRAW:
            raise ActionNotAllowed(_("Chỉ người nộp hồ sơ mới được rút hồ sơ."))
    elif action in IMPLIED_ACTIONS and step.offers(action) and role == "citizen":
        pass  # the applicant settles through an online payment (the lifecycle service checks it)
    elif role != step.role:
        raise ActionNotAllowed(
            _("Bước “%(step)s” do vai trò khác thực hiện; bạn không thể thực hiện thao tác này.") % {"step": step.name}
        )
    elif not step.offers(action):
        raise ActionNotAllowed(
            _("Thao tác “%(action)s” không được phép ở bước “%(step)s”.") % {"action": action.label, "step": step.name}
        )
    if status not in _FROM[action]:
        raise ActionNotAllowed(
            _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": str(action.label).lower(), "status": status.label}
        )
    target_key = step.key
    if action in MOVING_ACTIONS:
        target_key = to_step or step.actions[action] or step.key
        if to_step and to_step != step.actions[action]:
            raise ActionNotAllowed(_("Bước chuyển đến không hợp lệ."))
    target = _step(definition, target_key)
    finishes = action in MOVING_ACTIONS and target.returns_result
    to_status = Status.PROCESSED if finishes else _TO[action]
    return TransitionPlan(
        action=action,
        from_step=step.key,
        to_step=target.key,
        to_role=target.role,
        to_status=to_status,
        opens_pause=action == Action.REQUEST_SUPPLEMENT,
        closes_pause=action == Action.PROVIDE_SUPPLEMENT,
        finishes=finishes,
        ends=action in ENDING_ACTIONS or action == Action.WITHDRAW,
        stops_clock=action == Action.REQUEST_PAYMENT and step.payment_stops_clock,
        resumes_clock=action == Action.SETTLE_PAYMENT,
    )


def _step(definition: Mapping[str, Any], key: str) -> StepRule:
    for step in steps_of(definition):
        if step.key == key:
            return step
    raise ActionNotAllowed(_("Bước “%(key)s” không có trong quy trình của hồ sơ.") % {"key": key})


def validate_definition(definition: Any) -> list[str]:
    """Every problem with a definition, in Vietnamese; an empty list means it is usable.

    Checks shape, roles, actions and targets, that the first step receives, that time
    shares add up to 100%, that every step is reachable and that from every step some path
    ends in returning the result.
    """
    if not isinstance(definition, Mapping) or not isinstance(definition.get("steps"), list):
        return [_("Quy trình phải có danh sách các bước (“steps”).")]
    raw_steps = definition["steps"]
    if not raw_steps:
        return [_("Quy trình phải có ít nhất một bước.")]
    if len(raw_steps) > MAX_STEPS:
        return [_("Quy trình có tối đa %(n)s bước.") % {"n": MAX_STEPS}]
    errors: list[str] = []
    keys: list[str] = []
    for index, step in enumerate(raw_steps, start=1):
        label = _("Bước %(n)s") % {"n": index}
        if not isinstance(step, Mapping):
            errors.append(_("%(label)s: phải là một đối tượng.") % {"label": label})
            continue
        key = step.get("key")
        if not isinstance(key, str) or not key.strip():
            errors.append(_("%(label)s: thiếu mã bước.") % {"label": label})
            continue
        if key in keys:
            errors.append(_("%(label)s: mã bước “%(key)s” bị trùng.") % {"label": label, "key": key})
        keys.append(key)
        if not str(step.get("name", "")).strip():
            errors.append(_("%(label)s: thiếu tên bước.") % {"label": label})
        if step.get("role") not in OFFICER_ROLES:
            errors.append(_("%(label)s: vai trò “%(role)s” không hợp lệ.") % {"label": label, "role": step.get("role")})
        share = step.get("share", 0)
        if not isinstance(share, int) or not 0 <= share <= 100:
            errors.append(_("%(label)s: tỷ lệ thời gian phải là số nguyên từ 0 đến 100.") % {"label": label})
        actions = step.get("actions")
        if not isinstance(actions, list) or not actions:
            errors.append(_("%(label)s: phải có ít nhất một thao tác.") % {"label": label})
            continue
        for item in actions:
            name = item.get("action") if isinstance(item, Mapping) else None
            if name not in Action.values or Action(name) in CITIZEN_ACTIONS or Action(name) in IMPLIED_ACTIONS:
                errors.append(_("%(label)s: thao tác “%(name)s” không hợp lệ.") % {"label": label, "name": name})
                continue
            if Action(name) in MOVING_ACTIONS and not item.get("to"):
                errors.append(
                    _("%(label)s: thao tác “%(action)s” phải chỉ rõ bước chuyển đến.")
                    % {"label": label, "action": Action(name).label}
                )
            if "stops_clock" in item and (
                Action(name) != Action.REQUEST_PAYMENT or not isinstance(item["stops_clock"], bool)
            ):
                errors.append(
                    _(
                        "%(label)s: “stops_clock” chỉ dùng cho thao tác yêu cầu thực hiện nghĩa vụ tài chính, giá trị true/false."
                    )
                    % {"label": label}
                )
            if Action(name) not in MOVING_ACTIONS and item.get("to"):
                errors.append(
                    _("%(label)s: thao tác “%(action)s” không chuyển bước.")
                    % {"label": label, "action": Action(name).label}
                )
    if errors:
        return errors
    for step in raw_steps:
        for item in step["actions"]:
            target = item.get("to")
            if target and target not in keys:
                errors.append(
                    _("Bước “%(step)s”: bước chuyển đến “%(to)s” không tồn tại.") % {"step": step["key"], "to": target}
                )
            if target == step["key"]:
                errors.append(_("Bước “%(step)s”: không thể chuyển đến chính nó.") % {"step": step["key"]})
    if errors:
        return errors
    steps = steps_of(definition)
    if Action.RECEIVE not in steps[0].actions:
        errors.append(_("Bước đầu tiên phải có thao tác “Tiếp nhận hồ sơ”."))
    if sum(s.share for s in steps) != 100:
        errors.append(
            _("Tổng tỷ lệ thời gian các bước phải bằng 100%% (hiện là %(total)s%%).")
            % {"total": sum(s.share for s in steps)}
        )
    edges = {s.key: {t for t in s.actions.values() if t} for s in steps}
    reachable = _reachable(steps[0].key, edges)
    for step in steps:
        if step.key not in reachable:
            errors.append(_("Bước “%(name)s” không thể đi đến từ bước đầu tiên.") % {"name": step.name})
    returning = {s.key for s in steps if s.returns_result}
    if not returning:
        errors.append(_("Quy trình phải có bước “Trả kết quả”."))
    for step in steps:
        if returning and not (_reachable(step.key, edges) & returning):
            errors.append(_("Từ bước “%(name)s” không có đường đi đến bước trả kết quả.") % {"name": step.name})
    return errors


def _reachable(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
