"""Runs the interop scenario with boto3 (Signature V4, path-style addressing).

Usage: S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... /usr/bin/python3 boto3_driver.py
Prints one `STEP <name> <status> <code> [<detail>]` line per step (see _common.py).
"""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from boto3.s3.transfer import TransferConfig  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

from _common import (  # noqa: E402
    BIG_KEY,
    BODY,
    KEY,
    PART_SIZE,
    big_file,
    bucket_name,
    http_step,
    listed,
    public_url,
    same_file,
    settings,
    step,
    tamper_expiry,
    tamper_key,
)

CONFIG = Config(
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    retries={"max_attempts": 1, "mode": "standard"},
)


def session(access_key, secret_key):
    return boto3.session.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
    )


TRANSFER = TransferConfig(
    multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, use_threads=False)


def call(name, fn, detail=None, **kwargs):
    """Calls one client method and prints its step line from the HTTP status boto3 received."""
    try:
        response = fn(**kwargs)
    except ClientError as error:
        meta = error.response.get("ResponseMetadata", {})
        step(name, meta.get("HTTPStatusCode", 0), error.response.get("Error", {}).get("Code"))
        return None
    except BotoCoreError as error:
        # No HTTP answer boto3 could parse (connection refused or reset): status 0.
        step(name, 0, type(error).__name__)
        return None
    step(name, response["ResponseMetadata"]["HTTPStatusCode"], None,
         detail(response) if detail else None)
    return response


class Recorder:
    """Records (operation, status, error code) of every call a client makes (after-call event)."""

    def __init__(self, client):
        self.calls = []
        client.meta.events.register("after-call.s3", self._record)

    def _record(self, http_response, parsed, model, **_):
        code = (parsed or {}).get("Error", {}).get("Code")
        self.calls.append((model.name, http_response.status_code, code))

    def transfer_step(self, name, operation, fn, detail=None):
        """Runs a managed transfer; its step line is the last `operation` response."""
        before = len(self.calls)
        failed = False
        try:
            fn()
        except Exception:  # s3transfer wraps the ClientError; its status is in self.calls.
            failed = True
        calls = self.calls[before:]
        mine = [c for c in calls if c[0] == operation]
        _, status, code = (mine or calls or [(None, 0, None)])[-1]
        if not mine and not code:
            code = f"no-{operation}"
        if failed and not code:
            code = "transfer-failed"
        step(name, status, code, None if failed else detail(calls) if detail else None)


def main():
    endpoint, access_key, secret_key = settings()
    owner = session(access_key, secret_key)
    s3 = owner.client("s3", endpoint_url=endpoint, config=CONFIG)
    bucket = bucket_name("boto3")
    url = public_url(endpoint, bucket, KEY)
    recorder = Recorder(s3)
    workdir = tempfile.mkdtemp(prefix="interop-boto3-")
    try:
        call("create_bucket", s3.create_bucket, Bucket=bucket)
        call("put_object", s3.put_object, Bucket=bucket, Key=KEY, Body=BODY,
             ContentType="text/plain")
        call("list_objects", s3.list_objects_v2, Bucket=bucket,
             detail=lambda r: listed([o["Key"] for o in r.get("Contents", [])]))
        big = big_file(workdir)
        copy = os.path.join(workdir, "copy.bin")
        # upload_file and download_file split at PART_SIZE: multipart upload, ranged GETs.
        recorder.transfer_step(
            "put_multipart", "CompleteMultipartUpload",
            lambda: s3.upload_file(big, bucket, BIG_KEY, Config=TRANSFER),
            lambda calls: f"parts-{sum(1 for c in calls if c[:2] == ('UploadPart', 200))}")
        recorder.transfer_step(
            "get_multipart", "GetObject",
            lambda: s3.download_file(bucket, BIG_KEY, copy, Config=TRANSFER),
            lambda _: same_file(big, copy))
        call("delete_multipart", s3.delete_object, Bucket=bucket, Key=BIG_KEY)
        http_step("anonymous_get_private", "GET", url)

        presigned = s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=300)
        http_step("presigned_get", "GET", presigned, expect_body=BODY)
        http_step("presigned_tampered_key", "GET", tamper_key(presigned))
        http_step("presigned_tampered_method", "DELETE", presigned)
        http_step("presigned_tampered_expiry", "GET", tamper_expiry(presigned))
        short = s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=1)
        time.sleep(2.5)
        http_step("presigned_expired", "GET", short)

        call("set_public_read", s3.put_object_acl, Bucket=bucket, Key=KEY, ACL="public-read")
        http_step("anonymous_get_public", "GET", url, expect_body=BODY)
        call("delete_nonempty_bucket", s3.delete_bucket, Bucket=bucket)
        # Cleanup code written for versioned buckets (bucket.object_versions) lists versions
        # even when versioning was never enabled: that must be an ordinary listing, not 405.
        call("list_object_versions", s3.list_object_versions, Bucket=bucket)
        call("delete_object", s3.delete_object, Bucket=bucket, Key=KEY)
        call("delete_bucket", s3.delete_bucket, Bucket=bucket)
        http_step("anonymous_get_deleted_bucket", "GET", url)

        wrong = session(access_key, secret_key + "-wrong").client(
            "s3", endpoint_url=endpoint, config=CONFIG)
        call("wrong_secret", wrong.list_buckets)
        unknown = session("UNKNOWNACCESSKEY", secret_key).client(
            "s3", endpoint_url=endpoint, config=CONFIG)
        call("unknown_access_key", unknown.list_buckets)
    finally:
        cleanup(owner, endpoint, bucket)
        shutil.rmtree(workdir, ignore_errors=True)


def cleanup(owner, endpoint, bucket):
    """Removes what a failed run left behind, the way boto3 users do (object_versions)."""
    try:
        owner.client("s3", endpoint_url=endpoint, config=CONFIG).head_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError):
        return
    try:
        target = owner.resource("s3", endpoint_url=endpoint, config=CONFIG).Bucket(bucket)
        target.object_versions.delete()
        target.delete()
    except (BotoCoreError, ClientError) as error:
        print(f"Cleanup of bucket \"{bucket}\" failed: {error}", file=sys.stderr)


if __name__ == "__main__":
    main()
