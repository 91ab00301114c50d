"""`{% content_lang %}` inside a tag that holds data (procedure names, descriptions, agency
names, what officers wrote) and `{{ value|vi }}` for data inside translated text: both mark
the Vietnamese content `lang="vi"` when the page is in English (common/content_language.py)."""

from django import template
from django.utils.safestring import SafeString

from common.content_language import lang_attribute, mark_content

register = template.Library()


@register.simple_tag
def content_lang() -> SafeString:
    return lang_attribute()


@register.filter
def vi(value: object) -> SafeString:
    return mark_content(value)
