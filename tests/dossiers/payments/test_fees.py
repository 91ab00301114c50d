from dossiers.models import DossierDraft
from dossiers.payments.fees import FeeLine, payment_fees_for
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
