from django.apps import AppConfig


class MockCitizenConfig(AppConfig):
    """The stand-in's citizen-facing faces: VNeID identity provider and the payment platform."""

    name = "emc_sync.mock_portal.citizen"
    label = "mock_citizen"
    verbose_name = "Cổng giả lập (VNeID, thanh toán)"
