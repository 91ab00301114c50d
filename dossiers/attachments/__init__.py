"""Attachments and the citizen's document store: content checks (content.py) and services."""

from .content import FileKind, allowed_kinds, detect_kind, sanitise_name, size_text
from .services import (
    attachment_add,
    attachment_check_complete,
    attachment_remove,
    attachment_reuse,
    attachments_move_to_dossier,
    attachments_scan_waiting,
    file_inspect,
    files_delete_unused,
    store_results_on_return,
    stored_document_add_result,
)

__all__ = [
    "FileKind",
    "allowed_kinds",
    "attachment_add",
    "attachment_check_complete",
    "attachment_remove",
    "attachment_reuse",
    "attachments_move_to_dossier",
    "attachments_scan_waiting",
    "detect_kind",
    "file_inspect",
    "files_delete_unused",
    "sanitise_name",
    "size_text",
    "store_results_on_return",
    "stored_document_add_result",
]
