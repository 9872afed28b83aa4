"""Versioning with boto3's resource API: bucket.object_versions (listing and .delete()).

Usage: S3_ENDPOINT=... S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... S3_BUCKET=...
       /usr/bin/python3 boto3_versions_driver.py
The bucket must exist with versioning enabled and hold the versions the test wrote. Prints one
JSON document on stdout: what boto3 listed, the body of the oldest version read by id, and what
was left after bucket.object_versions.delete().
"""

import json
import os

import boto3
from botocore.config import Config

CONFIG = Config(
    signature_version="s3v4",
    s3={"addressing_style": "path"},
    retries={"max_attempts": 1, "mode": "standard"},
)


def main():
    s3 = boto3.session.Session(
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    ).resource("s3", endpoint_url=os.environ["S3_ENDPOINT"], config=CONFIG)
    bucket = s3.Bucket(os.environ["S3_BUCKET"])
    listed = []
    # page_size 2: boto3 follows NextKeyMarker and NextVersionIdMarker from page to page.
    for version in bucket.object_versions.page_size(2):
        head = version.head() if version.size is not None else None
        listed.append({
            "key": version.object_key,
            "id": version.id,
            "latest": version.is_latest,
            "marker": version.size is None,
            "note": head["Metadata"].get("note") if head else None,
        })
    oldest = [v for v in listed if not v["marker"] and v["key"] == "doc.txt"][-1]
    body = bucket.Object(oldest["key"]).get(VersionId=oldest["id"])["Body"].read().decode()
    bucket.object_versions.delete()
    left = [v.id for v in bucket.object_versions.all()]
    print(json.dumps({"listed": listed, "oldest_body": body, "left": left}))


main()
