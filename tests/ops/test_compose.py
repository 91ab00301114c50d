"""docker-compose.yml holds together (no Docker engine here: read as data): every dependency
names a service, the files go to MinIO's bucket that the bucket step creates, with the keys MinIO
is started with, and no app service waits on nothing or shares a disk for files."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP = ("migrate", "mock", "web", "worker", "beat")
# The one disk the app services share: the SoftHSM2 token and the demo CA (docs/signing.md), not files.
SIGNING_VOLUME = "signing:/var/lib/dvctt/signing"


def test_every_dependency_is_a_service_of_the_file():
    wanted = {(name, other) for name, service in SERVICES.items() for other in service.get("depends_on", {})}

    assert {other for _name, other in wanted} <= set(SERVICES)


def test_the_app_stores_its_files_in_the_bucket_the_bucket_step_creates_with_minios_keys():
    minio = SERVICES["minio"]["environment"]
    step = " ".join(SERVICES["minio-bucket"]["command"])
    for name in APP:
        environment = SERVICES[name]["environment"]
        assert environment["S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert (environment["S3_ACCESS_KEY_ID"], environment["S3_SECRET_ACCESS_KEY"]) == (
            minio["MINIO_ROOT_USER"],
            minio["MINIO_ROOT_PASSWORD"],
        ), name
        assert f"mc mb --ignore-existing local/{environment['S3_BUCKET']}" in step
        assert set(SERVICES[name].get("volumes", [])) <= {SIGNING_VOLUME}, (
            f"{name} shares a disk: files belong in the bucket"
        )
    assert minio["MINIO_ROOT_PASSWORD"] != "minioadmin"  # production settings refuse MinIO's default
    assert "media" not in COMPOSE["volumes"]


def test_nothing_of_the_app_starts_before_the_bucket_exists():
    assert SERVICES["minio-bucket"]["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert SERVICES["migrate"]["depends_on"]["minio-bucket"] == {"condition": "service_completed_successfully"}
    for name in ("mock", "web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    # the bucket step's shell sees its own variables: "$$" is compose's escape for a literal "$"
    assert '"$${MINIO_ROOT_USER}"' in SERVICES["minio-bucket"]["command"][0]


def test_the_app_signs_through_the_token_in_the_signing_volume_with_a_pin_from_the_environment():
    for name in APP:
        environment = SERVICES[name]["environment"]
        assert environment["SIGNING_KEY_BACKEND"] == "pkcs11", name  # prod settings refuse key files
        assert environment["SIGNING_PIN"].startswith("${SIGNING_PIN"), name
        mount = SIGNING_VOLUME.split(":", 1)[1]
        assert environment["SIGNING_DIR"] == mount, name
        assert environment["SOFTHSM2_CONF"].startswith(mount + "/"), name
        assert SERVICES[name]["volumes"] == [SIGNING_VOLUME], name
    assert "signing" in COMPOSE["volumes"]
    assert "media" not in COMPOSE["volumes"]
