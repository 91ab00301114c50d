from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    """Where an outbox row goes: one row per target per dossier change."""

    DVCQG_HOSO = "dvcqg_hoso", _("Cổng DVCQG: hồ sơ")
    DVCQG_TIENDO = "dvcqg_tiendo", _("Cổng DVCQG: tiến độ xử lý")
    EMC = "emc", _("EMC: sự kiện hồ sơ")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Bị từ chối")
    SUPERSEDED = "superseded", _("Được thay bằng bản mới hơn")


# Not yet at the receiver and still owed to it: these rows block later rows of the same
# dossier and target (per-dossier order).
UNDELIVERED = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED)


class AttemptOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Đã gửi")
    RETRY = "retry", _("Lỗi tạm thời, gửi lại sau")
    FAILED = "failed", _("Bị từ chối")
    INVALID = "invalid", _("Không đúng lược đồ, không gửi")


# EMC Status codes (DOMAIN.md): 1 received, 4 assigned, 2 processing, 3 returned, 0 other.
EMC_RECEIVED, EMC_ASSIGNED, EMC_PROCESSING, EMC_RETURNED, EMC_OTHER = 1, 4, 2, 3, 0


class Receiver(models.TextChoices):
    """Who answers a target's rows: the breaker (emc_sync.breaker) keeps one health state per receiver."""

    DVCQG = "dvcqg", _("Cổng DVCQG")
    EMC = "emc", _("EMC")


def receiver_of(target: str) -> str:
    return Receiver.EMC if target == Target.EMC else Receiver.DVCQG


class BreakerState(models.TextChoices):
    CLOSED = "closed", _("Bình thường")
    OPEN = "open", _("Tạm ngừng gửi (nơi nhận không trả lời)")
    HALF_OPEN = "half_open", _("Đang thử lại một bản ghi")
