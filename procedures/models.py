from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import AgencyLevel, Channel, DatabaseLookup, OnlineLevel, ResultDelivery, TimeLimitUnit
from .text import normalize_search_text

AGENCY_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9]{3}\.[A-Z0-9]{2}\.[A-Z0-9]{2}\.[A-Z][A-Z0-9]{2}$",
    _("Mã định danh cơ quan phải theo QCVN 102:2016, ví dụ 000.00.12.H42."),
)
PROCEDURE_CODE_VALIDATOR = RegexValidator(
    r"^\d\.\d{6}$", _("Mã thủ tục hành chính gồm 1 chữ số, dấu chấm và 6 chữ số, ví dụ 1.001193.")
)


class Agency(models.Model):
    """A public body: the province, a department, a ward People's Committee."""

    code = models.CharField(
        _("mã định danh (QCVN 102)"), max_length=20, unique=True, validators=[AGENCY_CODE_VALIDATOR]
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    level = models.CharField(_("cấp"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=30, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính, as published in the national database, plus the province's online service."""

    code = models.CharField(_("mã thủ tục"), max_length=20, unique=True, validators=[PROCEDURE_CODE_VALIDATOR])
    name = models.CharField(_("tên thủ tục"), max_length=500)
    sector = models.ForeignKey(Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures")
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"), max_length=20, choices=OnlineLevel.choices, default=OnlineLevel.FULL
    )
    partial_reason = models.TextField(_("lý do chỉ cung cấp một phần"), blank=True)
    channels = models.JSONField(_("cách thức thực hiện"), default=list, blank=True)
    time_limit_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=10, choices=TimeLimitUnit.choices, default=TimeLimitUnit.DAY
    )
    online_time_limit_value = models.DecimalField(
        _("thời hạn khi nộp trực tuyến"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    same_day_rule = models.BooleanField(
        _("giải quyết trong ngày (sau 15 giờ trả ngày làm việc tiếp theo)"), default=False
    )
    time_limit_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    applicant_types = models.JSONField(_("đối tượng thực hiện"), default=list, blank=True)
    implementing_agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan thực hiện"), related_name="procedures", blank=True
    )
    result_document = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    # Set by the province admin console when it publishes the online service (console/).
    online_payment = models.BooleanField(
        _("thanh toán phí, lệ phí trực tuyến"),
        default=True,
        help_text=_("Tắt: người nộp nộp phí, lệ phí tại bộ phận một cửa, Cổng không mở thanh toán trực tuyến."),
    )
    result_delivery = models.JSONField(_("cách thức trả kết quả"), default=list, blank=True)
    is_published = models.BooleanField(_("đã công bố"), default=False)
    popularity = models.PositiveIntegerField(_("mức độ sử dụng"), default=0)
    # Derived from name/code for diacritic-insensitive search (see procedures/text.py).
    search_text = models.CharField(max_length=600, editable=False, default="")
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(online_level=OnlineLevel.PARTIAL) | ~models.Q(partial_reason=""),
                name="procedure_partial_has_reason",
                violation_error_message=_("Dịch vụ trực tuyến một phần phải nêu lý do."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # A column derived from this row only, kept in step wherever the row is written
        # (admin, import, tests); no other side effect lives here.
        self.search_text = normalize_search_text(f"{self.code} {self.name}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_online(self) -> bool:
        return self.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)

    def result_delivery_ways(self) -> list[str]:
        """How an applicant may receive the result: what the province published (console step 1),
        or else what the procedure's channels imply (electronic when online, post when post is a
        channel, the desk when paper is taken there or nothing else is offered)."""
        if self.result_delivery:
            return [way for way in self.result_delivery if way in ResultDelivery.values]
        channels = self.channels or []
        ways = [ResultDelivery.ELECTRONIC.value] if self.is_online else []
        if Channel.POST in channels:
            ways.append(ResultDelivery.POST.value)
        if Channel.DIRECT in channels or not ways:
            ways.append(ResultDelivery.DESK.value)
        return ways


class Fee(models.Model):
    """Phí, lệ phí of a procedure, in Vietnamese đồng; online submissions may get a discount."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("tên phí, lệ phí"), max_length=255)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"), default=0)
    unit = models.CharField(_("đơn vị tính"), max_length=100, blank=True)
    online_discount_percent = models.PositiveSmallIntegerField(
        _("giảm khi nộp trực tuyến (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("ghi chú"), blank=True)
    # Charged only in some cases (late registration, extra copies): the applicant says whether
    # it applies when paying online; the officer checks it at reception.
    optional = models.BooleanField(_("chỉ thu khi thuộc trường hợp áp dụng"), default=False)
    # A fee per unit asked for in the e-form (copies of an extract: "đồng/bản"): the answer of
    # this e-form field counts the units; it applies when the count is above 0, times the count.
    quantity_field = models.CharField(
        _("trường số lượng của tờ khai"),
        max_length=64,
        blank=True,
        help_text=_("Mã trường số lượng trên tờ khai điện tử (ví dụ ban_sao): thu cho mỗi đơn vị người nộp đề nghị."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(online_discount_percent__lte=100), name="fee_discount_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def online_amount(self) -> int:
        return self.amount * (100 - self.online_discount_percent) // 100


class NationalDatabase(models.Model):
    """A national or sector database whose data may replace a dossier component (Resolution
    66.7/2025/NQ-CP: the applicant is not asked for what the state already holds). A list that
    is data: population, civil status, business registration, land, and whatever comes next.
    `code` is the MaCSDL reported to the national portal (DSKetNoiCSDL)."""

    code = models.CharField(_("mã CSDL (MaCSDL)"), max_length=30, unique=True)
    name = models.CharField(_("tên cơ sở dữ liệu"), max_length=255)
    lookup = models.CharField(_("cách tra cứu"), max_length=20, choices=DatabaseLookup.choices)
    is_active = models.BooleanField(_("đang kết nối"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("cơ sở dữ liệu thay thế thành phần hồ sơ")
        verbose_name_plural = _("cơ sở dữ liệu thay thế thành phần hồ sơ")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DossierComponent(models.Model):
    """Thành phần hồ sơ: a document the applicant must provide (unless `replaced_by` a database)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    required = models.BooleanField(_("bắt buộc"), default=True)
    original_copies = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    template_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    template_file = models.FileField(_("tệp mẫu"), upload_to="templates/", blank=True)
    reusable = models.BooleanField(_("được lấy từ kho dữ liệu của công dân"), default=False)
    # Checked against the file's content (magic bytes), never its name or the browser's word.
    allowed_types = models.CharField(
        _("loại tệp được nhận"),
        max_length=100,
        default="pdf,jpeg,png",
        help_text=_("Các loại cách nhau bởi dấu phẩy: pdf, jpeg, png, docx, xlsx."),
    )
    max_size_mb = models.PositiveSmallIntegerField(_("dung lượng tối đa mỗi tệp (MB)"), default=10)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    # Resolution 66.7/2025: read from this database at filing; the applicant is not asked for it.
    replaced_by = models.ForeignKey(
        NationalDatabase,
        verbose_name=_("thay thế bằng dữ liệu từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="components",
        help_text=_("Không yêu cầu người nộp cung cấp; hệ thống đọc dữ liệu từ cơ sở dữ liệu này khi nộp hồ sơ."),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure_id", "order", "id"]

    def __str__(self) -> str:
        return self.name
