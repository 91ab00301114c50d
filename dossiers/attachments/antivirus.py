"""Every upload scanned by ClamAV's daemon (clamd) before it is accepted.

The bytes are streamed to clamd (INSTREAM) over its unix socket, or TCP (`CLAMAV_SOCKET` =
"tcp://host:port", e.g. the docker-compose `clamav` service). Fail closed: when scanning is on
(`CLAMAV_ENABLED`) and the daemon cannot answer (down, timed out, an error reply), the upload is
refused with FileScanUnavailable, never accepted unscanned; infected → FileInfected. Only the
embedded default (`make run`, no daemon) runs with scanning off. Nothing here writes anything:
the caller refuses the file before it is stored, so the draft keeps what it had.

Signatures are the daemon's business (freshclam in production; docs/antivirus.md).
"""

import io
import logging
from dataclasses import dataclass

import clamd
from django.conf import settings

from ..exceptions import FileInfected, FileScanUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""  # the malware's name when not clean


def scanning_enabled() -> bool:
    return bool(getattr(settings, "CLAMAV_ENABLED", False))


def _client() -> clamd.ClamdUnixSocket | clamd.ClamdNetworkSocket:
    address = str(settings.CLAMAV_SOCKET)
    timeout = float(getattr(settings, "CLAMAV_TIMEOUT_SECONDS", 30))
    if address.startswith("tcp://"):
        host, _sep, port = address.removeprefix("tcp://").rpartition(":")
        return clamd.ClamdNetworkSocket(host=host or "127.0.0.1", port=int(port or 3310), timeout=timeout)
    return clamd.ClamdUnixSocket(path=address, timeout=timeout)


def scan_bytes(data: bytes) -> ScanResult:
    """Ask clamd about `data`. Raises clamd.ClamdError / OSError when it cannot answer."""
    reply = _client().instream(io.BytesIO(data))
    status, signature = (reply or {}).get("stream", ("ERROR", "no reply"))
    if status == "OK":
        return ScanResult(clean=True)
    if status == "FOUND":
        return ScanResult(clean=False, signature=str(signature))
    raise clamd.ResponseError(f"clamd answered {status}: {signature}")


def file_scan(*, data: bytes, name: str) -> None:
    """Refuse `data` (shown to the user as `name`) unless ClamAV says it is clean; a no-op with
    scanning off. Raises FileInfected or FileScanUnavailable (fail closed)."""
    if not scanning_enabled():
        return
    try:
        result = scan_bytes(data)
    except (TimeoutError, clamd.ClamdError, OSError, ValueError) as error:
        logger.error("virus scan unavailable at %s: %s", settings.CLAMAV_SOCKET, error)
        raise FileScanUnavailable(name=name) from error
    if not result.clean:
        logger.warning("upload refused: %s found in %r", result.signature, name)
        raise FileInfected(name=name, signature=result.signature)
