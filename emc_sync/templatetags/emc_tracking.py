"""The EMC page-view snippet: one async external script, configured by data attributes
(no inline script, so a strict Content-Security-Policy can allow it by origin alone)."""

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def emc_tracking_snippet() -> str:
    if not settings.EMC_TRACKING_ENABLED:
        return ""
    src = settings.EMC_TRACKING_URL.rstrip("/") + "/tracking.js"
    return format_html(
        '<script async src="{}?site_id={}" data-site-id="{}" data-emc-tracking></script>',
        src,
        settings.EMC_SITE_ID,
        settings.EMC_SITE_ID,
    )
