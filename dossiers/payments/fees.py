"""What a dossier's fees cost: the catalogue's fee lines as charged, online discount applied.

Pure reads of the catalogue and the draft: no payment, no platform.
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from dossiers.models import DossierDraft
from procedures.models import Procedure


@dataclass(frozen=True)
class FeeLine:
    """One fee as charged: the catalogue amount, the online discount, what is due."""

    name: str
    amount: int
    discount_percent: int
    due: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "amount": self.amount, "discount_percent": self.discount_percent, "due": self.due}


def payment_fees_for(*, procedure: Procedure, online: bool = True, chosen: Collection[int] = ()) -> list[FeeLine]:
    """The fee lines charged, in catalogue order, with the online discount applied when `online`.

    Fees that always apply, plus the optional ones (late registration, extra copies) whose
    ids are in `chosen`: the applicant's case, as picked on the draft (`fees_chosen`).
    """
    return [
        FeeLine(
            name=fee.name,
            amount=fee.amount,
            discount_percent=fee.online_discount_percent if online else 0,
            due=fee.online_amount if online else fee.amount,
        )
        for fee in procedure.fees.all()
        if not fee.optional or fee.pk in chosen
    ]


def draft_fee_lines(draft: DossierDraft) -> list[FeeLine]:
    """What paying online costs for this draft: its procedure's fees as its applicant's case calls for."""
    return payment_fees_for(procedure=draft.procedure, online=True, chosen=frozenset(draft.fees_chosen or ()))


def fee_total(lines: list[FeeLine]) -> int:
    return sum(line.due for line in lines)
