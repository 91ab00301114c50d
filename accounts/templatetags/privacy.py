"""`{{ dossier.applicant_id_number|masked_id }}`: citizen id numbers in lists (Decree 13/2023)."""

from django import template

from accounts.security import mask_id_number

register = template.Library()


@register.filter
def masked_id(value: str | None) -> str:
    return mask_id_number(value)
