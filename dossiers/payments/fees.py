"""What a dossier's fees cost: the catalogue's fee lines as charged, online discount applied.

Pure reads of the catalogue and the draft: no payment, no platform.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from dossiers.models import DossierDraft
from procedures.models import Procedure


@dataclass(frozen=True)
class FeeLine:
    """One fee as charged: the catalogue amount (per unit), the online discount, how many units
    (copies asked for in the e-form; 1 for a fee charged once), what is due."""

    name: str
    amount: int
    discount_percent: int
    due: int
    quantity: int = 1

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "amount": self.amount,
            "discount_percent": self.discount_percent,
            "quantity": self.quantity,
            "due": self.due,
        }


# The e-form's integer fields are bounded by their schema; this only stops a hand-made answer.
MAX_QUANTITY = 1000


def fee_quantity(answers: Mapping[str, Any], field: str) -> int:
    """How many units the applicant asked for in the e-form's `field` (0 when absent or not a
    whole number ≥ 0)."""
    value = answers.get(field)
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and 0 <= value <= MAX_QUANTITY else 0


def payment_fees_for(
    *,
    procedure: Procedure,
    online: bool = True,
    chosen: Collection[int] = (),
    answers: Mapping[str, Any] | None = None,
) -> list[FeeLine]:
    """The fee lines charged, in catalogue order, with the online discount applied when `online`.

    Fees that always apply; the optional ones (late registration) whose ids are in `chosen`:
    the applicant's case, as picked on the draft (`fees_chosen`); and the fees counted by an
    e-form field (`Fee.quantity_field`, copies of an extract), selected by the e-form's
    `answers` alone: charged per unit when the count is above 0, never picked by hand.
    """
    lines = []
    for fee in procedure.fees.all():
        if fee.quantity_field:
            quantity = fee_quantity(answers or {}, fee.quantity_field)
            if quantity == 0:
                continue
        elif fee.optional and fee.pk not in chosen:
            continue
        else:
            quantity = 1
        unit_due = fee.online_amount if online else fee.amount
        lines.append(
            FeeLine(
                name=fee.name,
                amount=fee.amount,
                discount_percent=fee.online_discount_percent if online else 0,
                due=unit_due * quantity,
                quantity=quantity,
            )
        )
    return lines


def draft_fee_lines(draft: DossierDraft) -> list[FeeLine]:
    """What paying online costs for this draft: its procedure's fees as its applicant's case and
    its e-form's answers (copies asked for) call for."""
    return payment_fees_for(
        procedure=draft.procedure,
        online=True,
        chosen=frozenset(draft.fees_chosen or ()),
        answers=draft.form_data or {},
    )


def fee_total(lines: list[FeeLine]) -> int:
    return sum(line.due for line in lines)
