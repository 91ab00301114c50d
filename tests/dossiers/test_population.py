"""The applicant of a filed dossier checked against the population registry (indicator 4.5's
second half), over a socket against the stand-in registry served by the live server."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from dossiers.constants import Channel
from dossiers.models import Dossier, DossierDraft
from dossiers.population import services as population
from dossiers.population.services import population_check
from dossiers.services import dossier_submit
from eforms.prefill_sources import RegistryUnavailable
from tests.factories import UserFactory
from tests.stores import clear_caches

pytestmark = pytest.mark.django_db(transaction=True)

# The stand-in registry's first demo citizen (emc_sync/mock_portal/citizens.py).
KNOWN_ID = "037090001234"
KNOWN_NAME = "Nguyễn Văn An"


@pytest.fixture
def registry(live_server, settings):
    clear_caches()
    settings.POPULATION_REGISTRY_URL = f"{live_server.url}/mock/dancu"
    settings.POPULATION_REGISTRY_TOKEN_URL = f"{live_server.url}/mock/oauth/token"
    yield
    clear_caches()


def file(office, *, name=KNOWN_NAME, id_number=KNOWN_ID, applicant=None):
    return dossier_submit(
        procedure=office["procedure"],
        agency=office["agency"],
        channel=Channel.ONLINE,
        applicant=applicant,
        applicant_name=name,
        applicant_id_number=id_number,
    )


def checked(dossier):
    return Dossier.objects.get(pk=dossier.pk).population_checked_at is not None


def test_an_applicant_the_registry_knows_by_name_is_authenticated(office, registry):
    # given a dossier whose applicant's name is written in another case and spacing
    dossier = file(office, name="  nguyễn  văn AN ")
    # when it is checked, then the registry confirms it
    assert population_check(dossier_id=dossier.pk) is True
    assert checked(dossier)


def test_a_different_name_or_an_unknown_number_is_not_authenticated(office, registry):
    wrong_name = file(office, name="Nguyễn Văn Anh")
    unknown = file(office, id_number="099999999999")
    assert population_check(dossier_id=wrong_name.pk) is False
    assert population_check(dossier_id=unknown.pk) is False
    assert not checked(wrong_name)
    assert not checked(unknown)


def test_a_birth_date_on_the_account_must_agree(office, registry):
    # the stand-in holds 1990-03-15 for this number
    account = UserFactory(full_name=KNOWN_NAME, citizen_id=KNOWN_ID, date_of_birth=dt.date(1991, 3, 15))
    assert population_check(dossier_id=file(office, applicant=account).pk) is False
    account.date_of_birth = dt.date(1990, 3, 15)
    account.save(update_fields=["date_of_birth"])
    assert population_check(dossier_id=file(office, applicant=account).pk) is True


def test_a_number_that_is_not_a_citizen_id_is_not_sent(office, registry):
    dossier = file(office, id_number="B1234567")  # a passport number
    with mock.patch.object(population, "registry_person") as ask:
        assert population_check(dossier_id=dossier.pk) is False
    ask.assert_not_called()


def test_an_unreachable_registry_raises_for_the_task_to_retry(office, settings):
    clear_caches()
    settings.POPULATION_REGISTRY_URL = "http://127.0.0.1:9/dancu"  # discard port: nothing listens
    settings.POPULATION_REGISTRY_TOKEN_URL = "http://127.0.0.1:9/oauth/token"
    settings.POPULATION_REGISTRY_TIMEOUT_SECONDS = 1
    dossier = file(office)
    with pytest.raises(RegistryUnavailable):
        population_check(dossier_id=dossier.pk)
    assert not checked(dossier)


def test_filing_enqueues_the_check_after_commit_when_enabled(office, settings):
    settings.POPULATION_CHECK_ENABLED = True
    with mock.patch("dossiers.population.handlers.publish_now") as enqueue:
        dossier = file(office)
        file(office, id_number="")  # no id number: nothing to ask
    assert [call.args[1] for call in enqueue.call_args_list] == [(dossier.pk,)]


def test_filing_does_not_ask_when_disabled(office, settings):
    settings.POPULATION_CHECK_ENABLED = False
    with mock.patch("dossiers.population.handlers.publish_now") as enqueue:
        file(office)
    enqueue.assert_not_called()


def test_the_citizen_wizard_fills_declared_sources_and_keeps_the_registrys_values(office, registry, client):
    # given a published form whose name comes from the registry and phone from the profile
    from eforms.services import form_draft_save, form_version_publish

    schema = {
        "title": "Tờ khai",
        "steps": [
            {
                "key": "nguoi_khai",
                "title": "Người khai",
                "fields": [
                    {"key": "ho_ten", "type": "text", "label": "Họ và tên", "required": True,
                     "prefill": "dan_cu.HoVaTen"},
                    {"key": "so_dt", "type": "phone", "label": "Số điện thoại", "required": True,
                     "prefill": "profile.phone"},
                ],
            }
        ],
    }  # fmt: skip
    form_version_publish(version=form_draft_save(procedure=office["procedure"], schema=schema, name="Tờ khai"))
    citizen = UserFactory(full_name="Nguyễn Văn An", citizen_id=KNOWN_ID, phone="0912345678")
    client.force_login(citizen)
    client.post(reverse("dossiers:start", args=[office["procedure"].code]), {"agency": office["agency"].pk})
    draft = DossierDraft.objects.get(owner=citizen)

    # when the citizen opens the form
    page = client.get(reverse("dossiers:draft_form", args=[draft.token])).content.decode()

    # then the registry's name is shown read-only with its source, the profile's phone filled in
    assert 'value="Nguyễn Văn An"' in page
    assert "Lấy từ Cơ sở dữ liệu quốc gia về dân cư" in page
    assert 'value="0912345678"' in page
    # and a posted change to the registry's value is not kept
    step = f"eform_draftformwizard_{draft.form_version_id}_{draft.token}-current_step"
    answered = client.post(
        reverse("dossiers:draft_form", args=[draft.token]),
        {step: "nguoi_khai", "nguoi_khai-ho_ten": "Người Khác", "nguoi_khai-so_dt": "0912345678"},
    )
    assert answered.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data.get("ho_ten") == "Nguyễn Văn An"


def test_a_check_lost_with_the_broker_is_done_by_the_sweep(office, registry, settings):
    # given two dossiers filed while the broker was down (no check ran) and one already answered
    from django.utils import timezone

    from dossiers.population.tasks import population_sweep_task
    from dvctt.celery import app as celery_app

    settings.POPULATION_CHECK_ENABLED = True
    lost = file(office)
    lost_mismatch = file(office, name="Nguyễn Văn Anh")
    answered = file(office)
    population_check(dossier_id=answered.pk)
    later = timezone.now() + dt.timedelta(minutes=11)

    # when the sweep runs (tasks in-process), then both lost ones are asked, and only once
    eager = celery_app.conf.CELERY_TASK_ALWAYS_EAGER
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    try:
        with mock.patch("dossiers.population.services.timezone.now", return_value=later):
            assert population.dossiers_never_asked(now=later) == [lost.pk, lost_mismatch.pk]
            assert population_sweep_task() == 2
            assert population.dossiers_never_asked(now=later) == []
    finally:
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    assert checked(lost)
    assert not checked(lost_mismatch)  # asked, and the registry's name differs: not asked again
