"""Reads of the papers issued for a dossier."""

from dossiers.models import Dossier, DossierDocument


def dossier_documents_list(*, dossier: Dossier) -> list[DossierDocument]:
    """The papers of a dossier, one per kind (the newest: a paper issued again for a later event,
    such as a second supplement request, replaces the earlier one in the list), oldest kind first.
    The download views serve the newest of a kind too, so each line leads to what it names."""
    newest: dict[str, DossierDocument] = {}
    for document in dossier.documents.order_by("created_at", "pk"):
        newest[document.kind] = document
    return sorted(newest.values(), key=lambda d: (d.created_at, d.pk))
