"""This locale's input formats: dd/mm/yyyy first (see dvctt.formats); display formats stay Django's."""

from dvctt.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
