"""A stored file of a dossier given to a reader the access policy (dossiers/access.py) let through.

Every download view checks scope first, then calls `stored_file_response`; how the bytes travel
(a short-lived signed address of the object storage, streamed by the web process, or nginx's
X-Accel-Redirect) is common.storage's choice (FILE_DOWNLOADS), never the view's.
"""

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from common.storage import STORAGE_ERRORS, file_response

from .attachments.content import KIND_BY_CONTENT_TYPE


def stored_file_response(request: HttpRequest, file: FieldFile, *, name: str, content_type: str) -> HttpResponseBase:
    """The file under its sanitised name: inline when browsers preview its type safely (PDF,
    images), as a download of unknown type otherwise. 404 when the file is gone, 503 with a
    "thử lại sau" page when the storage cannot be reached."""
    kind = KIND_BY_CONTENT_TYPE.get(content_type)
    try:
        return file_response(
            file,
            name=name,
            content_type=content_type if kind else "application/octet-stream",
            inline=bool(kind and kind.inline),
        )
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp.")) from None
    except STORAGE_ERRORS:
        message = _("Kho lưu trữ tệp đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút.")
        return render(request, "503.html", {"message": message}, status=503)
