from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.constants import Role
from accounts.models import AgencyMembership, User
from common.constants import VersionState
from dossiers.constants import Channel as DossierChannel
from dossiers.models import Dossier
from procedures.constants import AgencyLevel, Channel, OnlineLevel, TimeLimitUnit
from procedures.models import Agency, DossierComponent, Fee, Procedure, Sector
from workflows.constants import Status
from workflows.defaults import department_definition
from workflows.models import Workflow, WorkflowVersion


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.{n % 100:02d}.{n // 100 % 100:02d}.H42")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    level = AgencyLevel.DEPARTMENT


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    sector = factory.SubFactory(SectorFactory)
    online_level = OnlineLevel.FULL
    channels = factory.LazyFunction(lambda: [Channel.ONLINE, Channel.DIRECT])
    time_limit_value = Decimal(5)
    time_limit_unit = TimeLimitUnit.DAY
    applicant_types = factory.LazyFunction(lambda: ["citizen"])
    result_document = "Quyết định"
    steps = "Bước 1: Nộp hồ sơ.\nBước 2: Nhận kết quả."
    is_published = True

    class Params:
        draft = factory.Trait(is_published=False)
        partial = factory.Trait(online_level=OnlineLevel.PARTIAL, partial_reason="Phải có mặt để đối chiếu.")

    @factory.post_generation
    def agencies(self, create: bool, extracted: list[Agency] | None, **kwargs: object) -> None:
        if create and extracted:
            self.implementing_agencies.set(extracted)


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Lệ phí"
    amount = 100_000


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierComponent

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Tờ khai"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    role = Role.CITIZEN
    password = factory.django.Password("Mat-khau-2026")

    class Params:
        province_admin = factory.Trait(role=Role.PROVINCE_ADMIN, is_staff=True)

    @factory.post_generation
    def agencies(self, create: bool, extracted: list[Agency] | None, **kwargs: object) -> None:
        if create and extracted:
            for agency in extracted:
                AgencyMembership.objects.create(user=self, agency=agency)


class WorkflowVersionFactory(factory.django.DjangoModelFactory):
    """A published version of the department workflow for a procedure."""

    class Meta:
        model = WorkflowVersion

    workflow = factory.LazyAttribute(
        lambda o: Workflow.objects.get_or_create(procedure=o.procedure, defaults={"name": "Quy trình thử nghiệm"})[0]
    )
    number = factory.Sequence(lambda n: n + 1)
    state = VersionState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    definition = factory.LazyFunction(department_definition)

    class Params:
        procedure = factory.SubFactory(ProcedureFactory)


class DossierFactory(factory.django.DjangoModelFactory):
    """A dossier in any state, written directly (tests only; real code goes through dossiers.services)."""

    class Meta:
        model = Dossier

    code = factory.Sequence(lambda n: f"000.00.12.H42-261123-{n:04d}")
    procedure = factory.SubFactory(ProcedureFactory)
    agency = factory.SubFactory(AgencyFactory)
    channel = DossierChannel.ONLINE
    applicant = factory.SubFactory(UserFactory)
    applicant_name = "Nguyễn Văn An"
    workflow_version = factory.LazyAttribute(lambda o: WorkflowVersionFactory(procedure=o.procedure))
    step_key = "tiep_nhan"
    step_role = "reception_officer"
    status = Status.NEW
    submitted_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.submitted_at + timedelta(days=7))
