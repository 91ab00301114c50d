"""A real ClamAV daemon for the antivirus tests: Debian's clamd (`make test` installs
clamav-daemon), started once per run on a unix socket in a temporary folder, with a signature
database written here, since freshclam cannot reach its mirrors from this network:

- the EICAR test file by hash (.hdb) and the EICAR string anywhere in a file (.ndb), and
- one signature of our own (.ndb): the bytes OWN_SIGNATURE_BYTES anywhere in a file.

`clamd_server` is the daemon (its socket path, and its TCP address), `clamd_socket` the socket's
path; `clamav_on` turns scanning on against it for one test.
"""

import hashlib
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import clamd
import pytest

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
EICAR: bytes = clamd.EICAR
OWN_SIGNATURE_BYTES = b"DVCTT-TEST-MALWARE-7f3a9c"
START_TIMEOUT = 60.0


def write_database(folder: Path) -> None:
    (folder / "dvctt-test.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:DVCTT.Test.EICAR.File\n")  # noqa: S324 - ClamAV's hash format
    (folder / "dvctt-test.ndb").write_text(
        f"DVCTT.Test.EICAR:0:*:{EICAR.hex()}\nDVCTT.Test.OwnSignature:0:*:{OWN_SIGNATURE_BYTES.hex()}\n"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(root: Path, port: int) -> Path:
    config = root / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                f"LocalSocket {root / 'clamd.sock'}",
                f"TCPSocket {port}",
                "TCPAddr 127.0.0.1",
                f"DatabaseDirectory {root / 'db'}",
                f"TemporaryDirectory {root / 'tmp'}",
                f"LogFile {root / 'clamd.log'}",
                f"PidFile {root / 'clamd.pid'}",
                "Foreground yes",
                # Larger than any upload we accept (UPLOAD_MAX_REQUEST_MB), so nothing is refused for size.
                "StreamMaxLength 64M",
                "",
            ]
        )
    )
    return config


def answers(path: Path) -> bool:
    try:
        return clamd.ClamdUnixSocket(path=str(path), timeout=2).ping() == "PONG"
    except (TimeoutError, clamd.ClamdError, OSError):
        return False


@dataclass(frozen=True)
class ClamdServer:
    socket: Path
    tcp: str  # "tcp://127.0.0.1:<port>": the same daemon over TCP, as docker-compose reaches it


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory):
    if not Path(CLAMD).exists():
        pytest.fail("clamd is missing: `make test` installs Debian's clamav-daemon package.")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "tmp").mkdir()
    write_database(root / "db")
    port = free_port()
    config = write_config(root, port)
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [CLAMD, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    path = root / "clamd.sock"
    deadline = time.monotonic() + START_TIMEOUT
    while not answers(path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {process.stderr.read().decode() if process.stderr else ''} {log}")
        time.sleep(0.2)
    yield ClamdServer(socket=path, tcp=f"tcp://127.0.0.1:{port}")
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def clamd_socket(clamd_server):
    return clamd_server.socket


@pytest.fixture
def clamav_on(settings, clamd_socket):
    """Scanning on, against the test daemon."""
    settings.CLAMAV_ENABLED = True
    settings.CLAMAV_SOCKET = str(clamd_socket)
    settings.CLAMAV_TIMEOUT_SECONDS = 10
    return clamd_socket
