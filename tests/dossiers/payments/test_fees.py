import pytest

from dossiers.drafts.services import draft_fees_set
from dossiers.models import DossierDraft
from dossiers.payments.fees import FeeLine, draft_fee_lines, fee_quantity, payment_fees_for
from dossiers.payments.services import payment_start
from tests.factories import FeeFactory


def test_online_fees_get_the_catalogue_discount(draft):
    # given the draft's procedure and its two fees

    # when
    online = payment_fees_for(procedure=draft.procedure, online=True)
    desk = payment_fees_for(procedure=draft.procedure, online=False)

    # then
    assert online == [
        FeeLine(name="Lệ phí cấp giấy", amount=100_000, discount_percent=20, due=80_000),
        FeeLine(name="Phí thẩm định", amount=30_000, discount_percent=0, due=30_000),
    ]
    assert [line.due for line in desk] == [100_000, 30_000]


def test_optional_fees_are_charged_only_when_chosen(office, citizen):
    # given a procedure whose late-registration fee and extra copies apply only to some applicants
    procedure = office["procedure"]
    FeeFactory(procedure=procedure, name="Lệ phí đúng hạn", amount=0, order=1)
    late = FeeFactory(
        procedure=procedure, name="Lệ phí không đúng hạn", amount=5_000, online_discount_percent=50, order=2
    )
    FeeFactory(procedure=procedure, name="Bản sao trích lục", amount=8_000, optional=True, order=3)
    late.optional = True
    late.save(update_fields=["optional"])
    draft = DossierDraft.objects.create(owner=citizen, procedure=procedure, fees_chosen=[late.pk])

    # when
    none_chosen = payment_fees_for(procedure=procedure)
    payment, _url = payment_start(draft=draft, payer=citizen)

    # then
    assert [line.name for line in none_chosen] == ["Lệ phí đúng hạn"]
    assert payment.amount == 2_500
    assert [item["name"] for item in payment.items] == ["Lệ phí đúng hạn", "Lệ phí không đúng hạn"]


def test_the_eforms_copy_count_selects_the_copy_fee(office, citizen):
    """Issue 20: the copies asked for in the e-form did not select the copy fee; the citizen had
    to tick it, and paid one copy whatever the count."""
    # given a free registration whose extract copies cost 8.000 đ each, counted by the e-form's ban_sao
    procedure = office["procedure"]
    FeeFactory(procedure=procedure, name="Lệ phí đăng ký", amount=0, order=1)
    copies = FeeFactory(
        procedure=procedure, name="Bản sao trích lục", amount=8_000, unit="đồng/bản", optional=True,
        quantity_field="ban_sao", order=2,
    )  # fmt: skip
    three = DossierDraft.objects.create(owner=citizen, procedure=procedure, form_data={"ban_sao": 3})
    none = DossierDraft.objects.create(owner=citizen, procedure=procedure, form_data={"ban_sao": 0})
    ticked = DossierDraft.objects.create(owner=citizen, procedure=procedure, form_data={})

    # when the citizen of the last draft tries to tick it by hand, and the first pays
    draft_fees_set(draft=ticked, fee_ids=[copies.pk])
    payment, _url = payment_start(draft=three, payer=citizen)

    # then three copies are charged, none when none is asked, and a tick changes nothing
    assert draft_fee_lines(three)[1] == FeeLine(
        name="Bản sao trích lục", amount=8_000, discount_percent=0, due=24_000, quantity=3
    )
    assert payment.amount == 24_000
    assert payment.items[1]["quantity"] == 3
    assert [line.name for line in draft_fee_lines(none)] == ["Lệ phí đăng ký"]
    ticked.refresh_from_db()
    assert ticked.fees_chosen == []
    assert [line.name for line in draft_fee_lines(ticked)] == ["Lệ phí đăng ký"]


@pytest.mark.parametrize(
    ("answer", "quantity"), [(2, 2), ("4", 4), (-1, 0), (True, 0), ("hai", 0), (None, 0), (10_000, 0)]
)
def test_a_copy_count_is_read_defensively(answer, quantity):
    assert fee_quantity({"ban_sao": answer}, "ban_sao") == quantity
