from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)"
