"""What the dossiers app does when a dossier changes: event type → handler → phase.

Read by the registry at start-up (dossiers.events.Registry.load). In the transaction: writes
that must commit with the change. After commit: work that may be late but is never lost (each
handler's docstring says what recovers it without the broker).
"""

from .attachments.services import store_results_on_return
from .documents.handlers import issue_documents
from .events import (
    ComplaintAnswered,
    ComponentsNotRead,
    DossierActed,
    DossierChange,
    DossierSigningRequested,
    DossierSubmitted,
    PaymentPaid,
    Phase,
    ResultReturned,
    Subscription,
)
from .notifications.handlers import notify_applicant_of_change, tell_complaint_answered
from .payments.handlers import issue_receipt, settle_obligation
from .population.handlers import check_population
from .replacements.handlers import reread_later
from .signing.handlers import request_signature, sign_after_commit

SUBSCRIPTIONS = [
    # The returned result's files join the citizen's document store.
    Subscription(ResultReturned, store_results_on_return, Phase.IN_TRANSACTION),
    # Forms 01–06 the change calls for, rendered to PDF.
    Subscription(DossierChange, issue_documents, Phase.AFTER_COMMIT),
    # The applicant hears of every status change (e-mail and text message).
    Subscription(DossierChange, notify_applicant_of_change, Phase.AFTER_COMMIT),
    Subscription(ComplaintAnswered, tell_complaint_answered, Phase.AFTER_COMMIT),
    # The applicant's identity against the population registry (indicator 4.5).
    Subscription(DossierSubmitted, check_population, Phase.AFTER_COMMIT),
    # A financial obligation (status 6) paid online: the dossier goes back to processing.
    Subscription(PaymentPaid, settle_obligation, Phase.IN_TRANSACTION),
    # The leader's "approve and sign" and the clerk's issuing step: a signature is due (recorded
    # with the change), then the signing task signs the result and the forms (PAdES).
    Subscription(DossierActed, request_signature, Phase.IN_TRANSACTION),
    Subscription(DossierActed, sign_after_commit, Phase.AFTER_COMMIT),
    Subscription(DossierSigningRequested, sign_after_commit, Phase.AFTER_COMMIT),
    # Components replaced by national data whose database did not answer at filing: read again later.
    Subscription(ComponentsNotRead, reread_later, Phase.AFTER_COMMIT),
    # The electronic receipt of a fee paid online.
    Subscription(PaymentPaid, issue_receipt, Phase.AFTER_COMMIT),
]
