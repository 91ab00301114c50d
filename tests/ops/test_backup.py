import json
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

from dossiers.models import Dossier
from dvctt.backup import BackupError, backup_restore
from tests.factories import DossierFactory

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL")
RESTORE_DB = "dvctt_ops_restore_check"


def _admin_connection() -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        dbname="postgres", user=params["USER"], password=params["PASSWORD"] or None,
        host=params["HOST"], port=params["PORT"] or 5432, autocommit=True,
    )  # fmt: skip


@pytest.fixture
def fresh_database():
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{RESTORE_DB}"')
    yield {**connection.settings_dict, "NAME": RESTORE_DB}
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DB}" WITH (FORCE)')


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_holds_the_dossier_and_the_files(tmp_path, settings, fresh_database):
    # given: a dossier and an uploaded file
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "attachments" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "attachments" / "2026" / "giay-khai-sinh.pdf").write_bytes(b"%PDF-1.7 ban sao")
    dossier = DossierFactory(code="000.31.37.H42-261123-0042", applicant_name="Trần Thị Bình")

    # when
    call_command("backup", out=tmp_path / "backup", stdout=None)
    restored_media = tmp_path / "restored-media"
    backup_restore(source=tmp_path / "backup", database=fresh_database, media_root=restored_media)

    # then
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"] == connection.settings_dict["NAME"]
    assert sorted(manifest["files"]) == ["database.dump", "media.tar.gz"]
    assert all(len(file["sha256"]) == 64 and file["size"] > 0 for file in manifest["files"].values())
    with psycopg.connect(**_libpq(fresh_database)) as restored:
        rows = restored.execute(
            "SELECT code, applicant_name FROM dossiers_dossier WHERE id = %s", [dossier.pk]
        ).fetchall()
    assert rows == [("000.31.37.H42-261123-0042", "Trần Thị Bình")]
    assert (restored_media / "attachments" / "2026" / "giay-khai-sinh.pdf").read_bytes() == b"%PDF-1.7 ban sao"


def _libpq(database: dict) -> dict:
    return {"dbname": database["NAME"], "user": database["USER"], "password": database["PASSWORD"] or None,
            "host": database["HOST"], "port": database["PORT"] or 5432}  # fmt: skip


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_the_database_is_touched(tmp_path, settings, fresh_database):
    # given: a backup whose dump lost its last byte
    settings.MEDIA_ROOT = tmp_path / "media"
    DossierFactory()
    call_command("backup", out=tmp_path / "backup", stdout=None)
    dump = tmp_path / "backup" / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-1])

    # when
    with pytest.raises(BackupError, match="không khớp với manifest"):
        backup_restore(source=tmp_path / "backup", database=fresh_database, media_root=tmp_path / "restored")

    # then: the fresh database is still empty, no file unpacked
    with psycopg.connect(**_libpq(fresh_database)) as restored:
        tables = restored.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)
    assert not (tmp_path / "restored").exists()


@on_postgres
@pytest.mark.django_db
def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    # given
    (tmp_path / "old.txt").write_text("bản cũ")

    # when
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("backup", out=tmp_path)

    # then
    assert [path.name for path in tmp_path.iterdir()] == ["old.txt"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
@pytest.mark.django_db
def test_backup_on_sqlite_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="chỉ hỗ trợ PostgreSQL"):
        call_command("backup", out=tmp_path / "backup")

    assert not (tmp_path / "backup").exists()


@pytest.mark.django_db
def test_restore_without_yes_changes_nothing(tmp_path, settings):
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    dossier = DossierFactory()

    # when
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", "--from", str(tmp_path))

    # then
    assert list(Dossier.objects.values_list("code", flat=True)) == [dossier.code]
    assert not Path(settings.MEDIA_ROOT).exists()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_with_object_storage_the_backup_holds_the_buckets_files_and_restore_puts_them_back(
    tmp_path, s3_bucket, fresh_database
):
    # given: two stored files in the bucket (one in a "folder"), none on the disk
    storage = storages["default"]
    first = storage.save("attachments/2026/11/giay-khai-sinh.pdf", ContentFile(b"%PDF-1.7 ban sao"))
    second = storage.save("receipts/bien-lai.pdf", ContentFile(b"%PDF-1.7 bien lai"))
    DossierFactory(code="000.31.37.H42-261123-0043")

    # when backed up, the bucket emptied, and the backup restored
    call_command("backup", out=tmp_path / "backup", stdout=None)
    for key in s3_bucket.object_keys():
        s3_bucket.server.client().delete_object(Bucket=s3_bucket.name, Key=key)
    assert s3_bucket.object_keys() == []
    backup_restore(source=tmp_path / "backup", database=fresh_database, media_root=tmp_path / "unused", storage=storage)

    # then the manifest names the bucket and every object is back under its own name
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["media_root"] == f"s3://{s3_bucket.name}/"
    assert s3_bucket.object_keys() == sorted([first, second])
    assert (s3_bucket.read(first), s3_bucket.read(second)) == (b"%PDF-1.7 ban sao", b"%PDF-1.7 bien lai")
    assert not (tmp_path / "unused").exists()
