from django.apps import AppConfig


class MockPortalConfig(AppConfig):
    """The stand-in national portal, EMC and population registry (imports nothing of ours)."""

    name = "emc_sync.mock_portal"
    label = "mock_portal"
    verbose_name = "Cổng giả lập (DVCQG, EMC, CSDL dân cư)"
