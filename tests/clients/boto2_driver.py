"""Runs the interop scenario with boto 2 (Signature V2, path-style addressing).

Usage: S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... /usr/bin/python3 boto2_driver.py
Prints one `STEP <name> <status> <code> [<detail>]` line per step (see _common.py).

boto 2 is the client of DreamHost's original demo: it sends `PUT /bucket/` with a trailing slash,
uploads with `Expect: 100-Continue`, and refuses an upload whose ETag is not exactly `"<md5>"`.
"""

import http.client
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto  # noqa: E402
from boto.exception import BotoClientError, S3ResponseError  # noqa: E402
from boto.s3.connection import OrdinaryCallingFormat  # noqa: E402

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


def connect(endpoint, access_key, secret_key):
    """Opens a boto 2 connection whose responses are recorded (boto 2 hides the status)."""
    address = urllib.parse.urlsplit(endpoint)
    connection = boto.connect_s3(
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        host=address.hostname,
        port=address.port or 80,
        is_secure=False,
        calling_format=OrdinaryCallingFormat(),
    )
    statuses = []
    send = connection.make_request

    def recorded(*args, **kwargs):
        response = send(*args, **kwargs)
        statuses.append(response.status)
        return response

    connection.make_request = recorded
    connection.statuses = statuses
    return connection


def call(name, connection, fn, *args, detail=None, **kwargs):
    """Calls one boto 2 method and prints its step line from the last HTTP status it received."""
    before = len(connection.statuses)
    try:
        result = fn(*args, **kwargs)
    except S3ResponseError as error:
        step(name, error.status, error.error_code)
        return None
    except (OSError, http.client.HTTPException, BotoClientError) as error:
        # No HTTP answer boto could parse (connection refused or reset): status 0.
        step(name, 0, type(error).__name__)
        return None
    received = connection.statuses[before:]
    step(name, received[-1] if received else 0, None if received else "no-request-seen",
         detail(result) if detail and received else None)
    return result


def upload_in_parts(bucket, path):
    """Uploads a file as a multipart upload of PART_SIZE parts (boto 2 has no managed transfer)."""
    upload = bucket.initiate_multipart_upload(BIG_KEY)
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        for number, offset in enumerate(range(0, size, PART_SIZE), start=1):
            upload.upload_part_from_file(file, number, size=min(PART_SIZE, size - offset))
    upload.complete_upload()
    return number


def main():
    endpoint, access_key, secret_key = settings()
    connection = connect(endpoint, access_key, secret_key)
    name = bucket_name("boto2")
    url = public_url(endpoint, name, KEY)
    workdir = tempfile.mkdtemp(prefix="interop-boto2-")
    try:
        bucket = call("create_bucket", connection, connection.create_bucket, name)
        if bucket is None:
            bucket = connection.get_bucket(name, validate=False)
        key = bucket.new_key(KEY)
        call("put_object", connection, key.set_contents_from_string, BODY,
             headers={"Content-Type": "text/plain"})
        call("list_objects", connection, lambda: [k.name for k in bucket.list()], detail=listed)
        big = big_file(workdir)
        copy = os.path.join(workdir, "copy.bin")
        call("put_multipart", connection, upload_in_parts, bucket, big,
             detail=lambda parts: f"parts-{parts}")
        call("get_multipart", connection,
             lambda: bucket.get_key(BIG_KEY).get_contents_to_filename(copy),
             detail=lambda _: same_file(big, copy))
        call("delete_multipart", connection, bucket.delete_key, BIG_KEY)
        http_step("anonymous_get_private", "GET", url)

        presigned = key.generate_url(300, method="GET")
        http_step("presigned_get", "GET", presigned, expect_body=BODY)
        http_step("presigned_tampered_key", "GET", tamper_key(presigned))
        http_step("presigned_tampered_method", "DELETE", presigned)
        http_step("presigned_tampered_expiry", "GET", tamper_expiry(presigned))
        # Signature V2 carries an absolute expiry time, so an expired URL needs no waiting.
        expired = connection.generate_url(
            int(time.time()) - 60, "GET", bucket=name, key=KEY, expires_in_absolute=True)
        http_step("presigned_expired", "GET", expired)

        call("set_public_read", connection, key.set_acl, "public-read")
        http_step("anonymous_get_public", "GET", url, expect_body=BODY)
        call("delete_nonempty_bucket", connection, connection.delete_bucket, name)
        call("delete_object", connection, bucket.delete_key, KEY)
        call("delete_bucket", connection, connection.delete_bucket, name)
        http_step("anonymous_get_deleted_bucket", "GET", url)

        wrong = connect(endpoint, access_key, secret_key + "-wrong")
        call("wrong_secret", wrong, wrong.get_all_buckets)
        unknown = connect(endpoint, "UNKNOWNACCESSKEY", secret_key)
        call("unknown_access_key", unknown, unknown.get_all_buckets)
    finally:
        cleanup(connection, name)
        shutil.rmtree(workdir, ignore_errors=True)


def cleanup(connection, name):
    """Removes what a failed run left behind."""
    try:
        bucket = connection.lookup(name)
        if bucket is None:
            return
        for key in bucket.list():
            key.delete()
        connection.delete_bucket(name)
    except (OSError, BotoClientError, S3ResponseError) as error:
        print(f"Cleanup of bucket \"{name}\" failed: {error.status} {error.error_code}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
