"""boto3's side of the benchmark: one transfer or one phase of small objects, then a JSON line.

Usage:
  python3 bench/boto3_client.py ENDPOINT upload BUCKET KEY FILE
  python3 bench/boto3_client.py ENDPOINT download BUCKET KEY FILE
  python3 bench/boto3_client.py ENDPOINT small-put BUCKET PREFIX COUNT SIZE CONCURRENCY
  python3 bench/boto3_client.py ENDPOINT small-get BUCKET PREFIX COUNT SIZE CONCURRENCY
Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main(argv):
    endpoint, action, bucket = argv[1], argv[2], argv[3]
    concurrency = int(argv[7]) if len(argv) > 7 else 10
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(max_pool_connections=max(10, concurrency)),
    )
    started = time.monotonic()
    if action == "upload":
        client.upload_file(argv[5], bucket, argv[4])
    elif action == "download":
        client.download_file(bucket, argv[4], argv[5])
    elif action in ("small-put", "small-get"):
        prefix, count, size = argv[4], int(argv[5]), int(argv[6])
        body = b"x" * size
        keys = ["%s%06d" % (prefix, i) for i in range(count)]

        def put(key):
            client.put_object(Bucket=bucket, Key=key, Body=body)

        def get(key):
            data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
            if len(data) != size:
                raise RuntimeError("Cannot verify %r: got %d bytes" % (key, len(data)))

        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(put if action == "small-put" else get, keys))
    else:
        raise SystemExit("Unknown action %r" % action)
    print(json.dumps({"ms": (time.monotonic() - started) * 1000}))


if __name__ == "__main__":
    main(sys.argv)
