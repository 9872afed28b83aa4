"""boto3's managed upload (upload_fileobj) in multipart, for a retry test.

Usage: S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... S3_BUCKET=... S3_KEY=...
       /usr/bin/python3 boto3_retry_driver.py
Uploads 6 MiB in two parts (5 MiB and 1 MiB) with retries on (standard mode, 3 attempts), then
prints one JSON document on stdout: the object's ETag and size as HeadObject answers them, the
uploads still open in the bucket, and the body's MD5 read back.
"""

import hashlib
import io
import json
import os

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

MIB = 1024 * 1024
CONFIG = Config(
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    retries={"max_attempts": 3, "mode": "standard"},
)


def main():
    s3 = boto3.session.Session(
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    ).client("s3", endpoint_url=os.environ["S3_ENDPOINT"], config=CONFIG)
    bucket = os.environ["S3_BUCKET"]
    key = os.environ["S3_KEY"]
    body = bytes(range(256)) * (6 * MIB // 256)
    transfer = TransferConfig(
        multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=1
    )
    s3.upload_fileobj(io.BytesIO(body), bucket, key, Config=transfer)
    head = s3.head_object(Bucket=bucket, Key=key)
    got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    print(json.dumps({
        "etag": head["ETag"],
        "size": head["ContentLength"],
        "open_uploads": len(uploads),
        "body_ok": hashlib.md5(got).hexdigest() == hashlib.md5(body).hexdigest(),
    }))


if __name__ == "__main__":
    main()
