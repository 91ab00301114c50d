"""The language of the content, as against the language of the page (WCAG 3.1.2).

The portal's own words are translated; the data it shows is not: procedure names and their
texts, agencies, e-form labels, what officers wrote. That data is Vietnamese (CONTENT_LANGUAGE),
so on a page in another language it must say so (`lang="vi"`), or a screen reader reads
Vietnamese words with English rules. In Vietnamese mode nothing is added.
"""

from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language


def content_language() -> str:
    return str(getattr(settings, "CONTENT_LANGUAGE", "vi"))


def differs() -> bool:
    """Whether the page's language is not the content's (then the content is marked)."""
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return page != content_language()


def lang_attribute() -> SafeString:
    """` lang="vi"` to put inside an element's tag that holds only content, or nothing."""
    if not differs():
        return mark_safe("")  # noqa: S308 - a constant
    return format_html(' lang="{}"', content_language())


def mark_content(value: object) -> SafeString:
    """`value` (escaped unless already safe) in a `<span lang="vi">` when the page is in another
    language; unchanged otherwise. Empty values stay empty."""
    text = conditional_escape(value if isinstance(value, SafeData) else "" if value is None else str(value))
    if not text or not differs():
        return mark_safe(text)  # noqa: S308 - escaped above
    return format_html('<span lang="{}">{}</span>', content_language(), text)
