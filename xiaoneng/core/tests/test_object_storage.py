"""Object storage (docs/operations.md): with XIAONENG_STORAGE=s3 every file goes through django-storages to
an S3-compatible bucket (here moto's in-process S3), so several web nodes share the same materials."""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from moto import mock_aws

from xiaoneng.core.backup import BackupError, backup_create

BUCKET = "xiaoneng-media"
S3 = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "region_name": "cn-north-1",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def bucket(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        boto3.client("s3", region_name="cn-north-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"}
        )
        with override_settings(STORAGES=S3):
            yield boto3.client("s3", region_name="cn-north-1")


def test_a_material_is_stored_in_the_bucket_and_read_back(bucket):
    # when: a file is saved as a model's FileField saves it (default_storage)
    name = default_storage.save("cases/2026/03/申请书.pdf", ContentFile(b"%PDF-1.4 material"))
    # then: the object is in the bucket, private, and reads back through the storage
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [name]
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert all("AllUsers" not in str(g.get("Grantee", {})) for g in grants)
    with default_storage.open(name) as f:
        assert f.read() == b"%PDF-1.4 material"
    # a second upload of the same name never overwrites the first (file_overwrite=False)
    second = default_storage.save("cases/2026/03/申请书.pdf", ContentFile(b"other"))
    assert second != name
    default_storage.delete(second)
    assert not default_storage.exists(second)


def test_a_backup_leaves_the_bucket_to_its_own_versioning(bucket, transactional_db, tmp_path):
    out = backup_create(tmp_path)
    assert not (out / "media.tar.gz").exists()
    assert '"media": "object storage"' in (out / "manifest.json").read_text(encoding="utf-8")


def test_a_backup_inside_a_transaction_is_refused(db, tmp_path):
    with pytest.raises(BackupError, match="transaction"):
        backup_create(tmp_path)
