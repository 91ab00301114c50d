"""Backup and restore of the portal: the PostgreSQL database and the uploaded files.

A backup is a folder with three files: `database.dump` (pg_dump custom format, restorable
table by table with pg_restore), `media.tar.gz` (every stored file: everything under MEDIA_ROOT,
or every object of the bucket under S3_PREFIX when the files are in object storage) and
`manifest.json` (when, which database, server and pg_dump versions, size and sha256 of each
file). Restore checks the sha256 first, so a truncated copy is refused before anything is
touched. Commands: `manage.py backup --out DIR`, `manage.py restore --from DIR --yes`.

SQLite (the embedded default) is refused: copy the db.sqlite3 file and var/media instead.
"""

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from storages.backends.s3 import S3Storage

DUMP_FILE = "database.dump"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"


class BackupError(Exception):
    """Refused or failed: the message says why, for the operator."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    manifest: dict[str, Any]


def _require_postgres(database: dict[str, Any]) -> None:
    if not database["ENGINE"].endswith("postgresql"):
        raise BackupError(
            "Sao lưu và khôi phục chỉ hỗ trợ PostgreSQL (DATABASE_URL=postgres://...). "
            "Với SQLite, hãy dừng máy chủ rồi sao chép tệp cơ sở dữ liệu và thư mục MEDIA_ROOT."
        )


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    """libpq reads the connection from the environment: no password on the command line (ps shows it)."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _major(version: str) -> int:
    match = re.search(r"(\d+)", version)
    if not match:
        raise BackupError(f"Không đọc được phiên bản PostgreSQL: {version!r}")
    return int(match.group(1))


def _tool_version(tool: str) -> str:
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"Không tìm thấy {tool}: hãy cài gói postgresql-client cùng phiên bản với máy chủ.") from exc
    return out.stdout.strip()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} thất bại (mã {result.returncode}): {result.stderr.strip()[-2000:]}")


def _bucket_prefix(storage: S3Storage) -> str:
    return f"{storage.location.strip('/')}/" if storage.location.strip("/") else ""


def files_location(storage: Storage, media_root: Path) -> str:
    """Where the files are, for the manifest and the operator: a folder or s3://bucket/prefix."""
    if isinstance(storage, S3Storage):
        return f"s3://{storage.bucket_name}/{_bucket_prefix(storage)}"
    return str(media_root)


def _pack_bucket(tar: tarfile.TarFile, storage: S3Storage) -> None:
    """Every object under the storage's prefix into `tar`, streamed (no object held in memory)."""
    prefix = _bucket_prefix(storage)
    for summary in storage.bucket.objects.filter(Prefix=prefix):
        info = tarfile.TarInfo(summary.key[len(prefix) :])
        info.size = summary.size
        info.mtime = int(summary.last_modified.timestamp())
        tar.addfile(info, summary.get()["Body"])


def _unpack_into_bucket(tar: tarfile.TarFile, storage: S3Storage) -> None:
    """Every regular file of `tar` written to the bucket under the storage's prefix, by its own
    name (the rows name them). Names that would climb out of the prefix are refused."""
    prefix = _bucket_prefix(storage)
    for member in tar:
        if not member.isfile():
            continue
        if member.name.startswith("/") or ".." in Path(member.name).parts:
            raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {member.name!r}")
        stream = tar.extractfile(member)
        assert stream is not None  # noqa: S101 - a regular file
        storage.bucket.upload_fileobj(stream, prefix + member.name)


def backup_create(*, out: Path, alias: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Dump the database and pack the stored files (MEDIA_ROOT, or the bucket) into `out`
    (created; must be empty if it exists).

    Refuses SQLite, a non-empty folder, and a pg_dump older than the server (it cannot read a
    newer server's catalogue). Reads only: the portal keeps running (pg_dump takes a consistent
    snapshot; files uploaded during the dump may or may not be in the tar)."""
    connection = connections[alias]
    database = connection.settings_dict
    _require_postgres(database)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"Thư mục {out} đã có dữ liệu: hãy chọn một thư mục trống.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    pg_dump_version = _tool_version("pg_dump")
    if _major(pg_dump_version) < _major(server_version):
        raise BackupError(f"{pg_dump_version} cũ hơn máy chủ PostgreSQL {server_version}: hãy cài pg_dump mới hơn.")

    out.mkdir(parents=True, exist_ok=True)
    created_at = dt.datetime.now(tz=dt.UTC)
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={out / DUMP_FILE}"], _pg_env(database)
    )
    media_root = Path(settings.MEDIA_ROOT)
    storage = storages["default"]
    with tarfile.open(out / MEDIA_FILE, "w:gz") as tar:
        if isinstance(storage, S3Storage):
            _pack_bucket(tar, storage)
        elif media_root.is_dir():
            for child in sorted(media_root.iterdir()):
                tar.add(child, arcname=child.name)
    manifest = {
        "format": 1,
        "created_at": created_at.isoformat(),
        "database": database["NAME"],
        "server_version": server_version,
        "pg_dump_version": pg_dump_version,
        "media_root": files_location(storage, media_root),
        "files": {
            name: {"size": (out / name).stat().st_size, "sha256": _sha256(out / name)}
            for name in (DUMP_FILE, MEDIA_FILE)
        },
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BackupReport(folder=out, manifest=manifest)


def backup_verify(*, source: Path) -> dict[str, Any]:
    """The manifest, once every file's size and sha256 match it."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {source / MANIFEST_FILE}: {exc}") from exc
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file() or path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            raise BackupError(f"Tệp {path} thiếu hoặc không khớp với manifest: bản sao lưu hỏng, không khôi phục.")
    return manifest


def backup_restore(
    *, source: Path, database: dict[str, Any], media_root: Path, storage: Storage | None = None
) -> dict[str, Any]:
    """Restore `source` into `database` (a settings dict) and unpack its files into `media_root`,
    or into the bucket when `storage` is object storage (whichever kind the backup came from).

    Verifies the manifest first. Objects in the dump replace those of the same name
    (pg_restore --clean --if-exists), in one transaction: a failed restore changes nothing in
    the database. Files are written over existing ones; files not in the backup stay."""
    _require_postgres(database)
    manifest = backup_verify(source=source)
    pg_restore_version = _tool_version("pg_restore")
    if _major(pg_restore_version) < _major(manifest["pg_dump_version"]):
        raise BackupError(f"{pg_restore_version} cũ hơn {manifest['pg_dump_version']} đã tạo bản sao lưu.")
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
               f"--dbname={database['NAME']}", str(source / DUMP_FILE)]  # fmt: skip
    _run(command, _pg_env(database))
    if isinstance(storage, S3Storage):
        with tarfile.open(source / MEDIA_FILE, "r:gz") as tar:
            _unpack_into_bucket(tar, storage)
        return manifest
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / MEDIA_FILE, "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # "data": no absolute paths, no links out of the folder
    return manifest
