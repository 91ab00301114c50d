"""Where the portal's files live, and how one leaves the portal once the access policy said yes.

Files (citizens' uploads, the document store, legal forms, receipts) go to Django's default
storage: a local folder in the embedded default, S3-compatible object storage (django-storages,
boto3) when `S3_BUCKET` is set, so that a PDF written by a worker on one machine is there for a
web process on another. The settings are in dvctt/settings/base.py ("Files").

A download is one of three answers, chosen by FILE_DOWNLOADS (`file_response`):
- "presigned": a redirect to an address of the object storage signed for FILE_URL_SECONDS, with
  the type, the name, inline-or-attachment and "no caching" fixed in the signature: the bytes go
  from the bucket to the browser, not through a web worker (the default with S3);
- "stream": the web process reads the file from its storage and streams it (the default with
  local files; with S3 where the bucket is not reachable from browsers);
- "accel": local files behind nginx: an empty answer whose X-Accel-Redirect names an `internal`
  nginx location aliasing MEDIA_ROOT (docs/deployment.md), and nginx sends the bytes.
This module hands out nothing by itself: every caller has asked dossiers/access.py first, so an
address is only ever given to someone who may read the file, and a signed one lapses quickly.
"""

import sys
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

try:  # botocore comes with django-storages[s3]; the embedded default needs none of it
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - boto3 is a dependency
    STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError,)
else:
    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

if TYPE_CHECKING:
    from storages.backends.s3 import S3Storage

DOWNLOAD_MODES = ("presigned", "stream", "accel")
# What a served file may do if a browser renders it: nothing (no scripts, nothing loaded).
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _is_bucket(storage: object) -> TypeGuard["S3Storage"]:
    """Whether `storage` is object storage. Only a process configured with S3_BUCKET has imported
    django-storages' S3 backend (and boto3, ~200 ms and tens of MB); the others never do.

    A file field's storage is `default_storage`, a lazy object: it is made (and the backend
    imported) on first use. A fresh web process whose first request was a download saw no S3
    module yet and streamed the file (or, behind nginx, named a local path that does not exist):
    the multi-node drill's web B. So the storage is made before the module is looked for."""
    kind = storage.__class__  # a lazy object's class is its storage's: asking for it makes the storage
    s3 = sys.modules.get("storages.backends.s3")
    return s3 is not None and issubclass(kind, s3.S3Storage)


def download_mode() -> str:
    mode = str(getattr(settings, "FILE_DOWNLOADS", "stream"))
    if mode not in DOWNLOAD_MODES:
        raise ValueError(f"FILE_DOWNLOADS={mode!r}: one of {', '.join(DOWNLOAD_MODES)}")
    return mode


def file_response(file: FieldFile, *, name: str, content_type: str, inline: bool) -> HttpResponseBase:
    """The answer that gives `file` to a reader the caller has already checked.

    `name` is what the browser saves it as (Vietnamese letters kept, RFC 6266/5987), `inline`
    whether browsers may show it in place (PDF, images) rather than download it. Raises
    FileNotFoundError when the stored file is gone, and one of STORAGE_ERRORS when the storage
    cannot be reached (callers answer 404 and 503).
    """
    disposition = content_disposition_header(as_attachment=not inline, filename=name) or "attachment"
    storage, stored_name = file.storage, str(file.name)
    mode = download_mode()
    if mode == "presigned" and _is_bucket(storage) and storage.querystring_auth:
        url = storage.url(
            stored_name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": "private, no-store",
            },
            expire=int(settings.FILE_URL_SECONDS),
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "private, no-store"  # the signed address is for this reader, now
        return redirect
    response: HttpResponseBase
    if mode == "accel" and not _is_bucket(storage):
        if not storage.exists(stored_name):
            raise FileNotFoundError(stored_name)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(settings.FILE_ACCEL_PREFIX.rstrip("/") + "/" + stored_name)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    response["Content-Security-Policy"] = FILE_CSP
    return response
