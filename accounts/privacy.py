"""Citizen id numbers out of error reports (Decree 13/2023).

Django's error mails to ADMINS (and the debug page) print the exception, the local variables of
every frame and the request's GET, POST and headers: a citizen id number can be anywhere in
them. `MaskingExceptionReporter` (DEFAULT_EXCEPTION_REPORTER) masks every 12-digit number in
the finished report, whatever part it came from. Log lines are masked by dvctt.request_log.
"""

from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter

from common.privacy import mask_citizen_ids as mask_citizen_ids_in


class MaskingExceptionReporter(ExceptionReporter):
    # Replacing digits by digits and asterisks keeps Django's escaped report as safe as it was.
    def get_traceback_text(self) -> SafeString:
        return mark_safe(mask_citizen_ids_in(str(super().get_traceback_text())))  # noqa: S308

    def get_traceback_html(self) -> SafeString:
        return mark_safe(mask_citizen_ids_in(str(super().get_traceback_html())))  # noqa: S308
