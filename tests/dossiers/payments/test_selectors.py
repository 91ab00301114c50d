from django.contrib.auth.models import AnonymousUser

from accounts.constants import Role
from dossiers.constants import PaymentStatus
from dossiers.models import Payment
from dossiers.payments.selectors import payment_get_for_user, payment_state_for_draft
from dossiers.payments.services import payment_confirm, payment_start
from tests.factories import AgencyFactory, DossierFactory, UserFactory


def test_payment_state_for_draft(draft, citizen):
    # given nothing yet
    before = payment_state_for_draft(draft=draft)
    # a payment started
    payment, _url = payment_start(draft=draft, payer=citizen)
    started = payment_state_for_draft(draft=draft)
    # and paid
    payment_confirm(payment_id=payment.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    paid = payment_state_for_draft(draft=draft)

    # then
    assert (before.amount_due, before.paid, before.pending) == (110_000, False, None)
    assert (started.paid, started.pending) == (False, payment)
    assert (paid.paid, paid.paid_payment, paid.pending) == (True, payment, None)


# Who may see a payment (dossiers.access.payments_visible_filter).


def test_who_sees_a_payment(draft, citizen, office, django_assert_num_queries):
    # given a draft's paid payment, and another one that joined a dossier of the office's agency
    on_draft, _url = payment_start(draft=draft, payer=citizen)
    payment_confirm(payment_id=on_draft.pk, status=PaymentStatus.PAID, transaction_id="GD1")
    dossier = DossierFactory(procedure=draft.procedure, agency=office["agency"], applicant=citizen)
    on_dossier = Payment.objects.create(
        ref="DVC-HOSO", draft=draft, dossier=dossier, payer=citizen, amount=1, status=PaymentStatus.PAID
    )
    sub_agency = AgencyFactory(code="000.01.12.H42", parent=office["agency"])
    people = {
        "payer": citizen,
        "another citizen": UserFactory(),
        "officer of the agency": office["people"][Role.RECEPTION_OFFICER],
        "officer of a sub-agency": UserFactory(role=Role.SPECIALIST, agencies=[sub_agency]),
        "officer elsewhere": UserFactory(role=Role.RECEPTION_OFFICER, agencies=[AgencyFactory(code="000.99.99.H42")]),
        "province admin": UserFactory(province_admin=True),
    }

    # when
    seen = {
        who: [ref for ref in (on_draft.ref, on_dossier.ref) if payment_get_for_user(user=user, ref=ref) is not None]
        for who, user in people.items()
    }

    # then: the payer sees both; officers see only payments of dossiers in their scope
    assert seen == {
        "payer": [on_draft.ref, on_dossier.ref],
        "another citizen": [],
        "officer of the agency": [on_dossier.ref],
        "officer of a sub-agency": [],
        "officer elsewhere": [],
        "province admin": [on_dossier.ref],
    }
    assert payment_get_for_user(user=AnonymousUser(), ref=on_dossier.ref) is None
    officer = people["officer of the agency"]
    with django_assert_num_queries(1):  # the scope is read once per user object (already read above)
        assert payment_get_for_user(user=officer, ref=on_dossier.ref) == on_dossier
