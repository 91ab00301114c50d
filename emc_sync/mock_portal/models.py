"""What the stand-in remembers: records received, dossiers held, inbound dossiers, faults.

Its own tables (app label `mock_portal`), so that a drill can read what the outside world saw.
"""

from django.db import models


class Target(models.TextChoices):
    DVCQG = "dvcqg", "Cổng DVCQG: hồ sơ"
    TIENDO = "tiendo", "Cổng DVCQG: tiến độ"
    EMC = "emc", "EMC: sự kiện hồ sơ"
    PAGEVIEW = "pageview", "EMC: lượt xem trang"


class ReceivedRecord(models.Model):
    """One accepted record; the id is the arrival order. A replay only counts another offer."""

    target = models.CharField(max_length=16, choices=Target.choices)
    operation = models.CharField(max_length=16, blank=True)  # them / capnhat for the dossier target
    key = models.CharField(max_length=200, blank=True)  # empty for page views (browsers send none)
    ma_ho_so = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    last_offered_at = models.DateTimeField()
    times_offered = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "key"], condition=~models.Q(key=""), name="mock_portal_one_record_per_key"
            )
        ]
        indexes = [models.Index(fields=["target", "ma_ho_so"], name="mock_portal_received_dossier")]

    def __str__(self) -> str:
        return f"{self.target} {self.ma_ho_so} ({self.key})"


class PortalDossier(models.Model):
    """The latest record of each dossier the province pushed (what reconciliation reads)."""

    ma_ho_so = models.CharField(max_length=64, unique=True)
    ngay_nop = models.CharField(max_length=14, db_index=True)  # yyyyMMddHHmmss sorts as text
    payload = models.JSONField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.ma_ho_so


class InboundDossier(models.Model):
    """A dossier a citizen filed on the national portal, waiting for the province to pull it.

    The id is the feed cursor."""

    ma_tinh = models.CharField(max_length=8)
    ma_ho_so_quoc_gia = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ma_tinh", "id"], name="mock_portal_inbound_feed")]

    def __str__(self) -> str:
        return self.ma_ho_so_quoc_gia


class FaultState(models.Model):
    """The one row of fault settings, shared by every thread and process of the stand-in.

    `draws` numbers the random draws so that a seeded run is the same run every time."""

    config = models.JSONField(default=dict)
    down_until = models.DateTimeField(null=True, blank=True)
    draws = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"faults {self.config}"


class FeedEntry(models.Model):
    """One message of a province's inbound feed; the id is the feed cursor.

    `kind` HoSo: a dossier record forwarded (first time, again unchanged, or changed: the whole
    record each time); RutHoSo: the citizen withdrew it on the national portal; BoSungHoSo: the
    citizen supplied a supplement there (with files)."""

    ma_tinh = models.CharField(max_length=8)
    kind = models.CharField(max_length=16)
    ma_ho_so = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ma_tinh", "id"], name="mock_portal_feed_entry")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ma_ho_so}"


class PortalFile(models.Model):
    """A file a citizen attached on the national portal, served at /dvcqg/tep/<file_id>."""

    file_id = models.CharField(max_length=64, unique=True)
    ma_ho_so = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.file_id
