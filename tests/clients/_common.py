"""Shared helpers for the Python client drivers (boto3, boto 2).

A driver runs the interop scenario against the S3 endpoint named by the environment and prints one
line per step on stdout:

    STEP <name> <http-status> <s3-error-code or -> [<detail>]

Environment: S3_ENDPOINT (e.g. http://127.0.0.1:7480), S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY.
Credentials come from the environment only and are never printed; signatures are never printed.

Anonymous requests and tampered presigned URLs are sent with the standard library (urllib), so
they depend on no S3 client at all.
"""

import os
import re
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

KEY = os.environ.get("S3_KEY", "notes/hello world+1&2 (ü).txt")
BODY = b"Hello from the interop scenario.\n"
BIG_KEY = "big/multipart.bin"
PART_SIZE = 5 * 1024 * 1024
"""Smallest part S3 accepts; clients are told to use it so 11 MiB makes three parts."""


def settings():
    """Returns (endpoint, access key id, secret access key) from the environment."""
    missing = [
        name
        for name in ("S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
        if not os.environ.get(name)
    ]
    if missing:
        sys.exit(f"Cannot run the driver: set {', '.join(missing)} in the environment")
    return (
        os.environ["S3_ENDPOINT"].rstrip("/"),
        os.environ["S3_ACCESS_KEY_ID"],
        os.environ["S3_SECRET_ACCESS_KEY"],
    )


def big_file(directory):
    """Writes 2 parts and a bit of random bytes to `directory`; returns the path."""
    path = os.path.join(directory, "multipart.bin")
    with open(path, "wb") as file:
        file.write(os.urandom(2 * PART_SIZE + 1024 * 1024 + 7))
    return path


def same_file(a, b):
    """`body-ok` when both files hold the same bytes, else `body-differs`."""
    with open(a, "rb") as first, open(b, "rb") as second:
        return "body-ok" if first.read() == second.read() else "body-differs"


def listed(keys):
    """`listed` when the scenario's key is among `keys`, else `missing`."""
    return "listed" if KEY in keys else "missing"


def bucket_name(client):
    """Returns a fresh bucket name `d-<client>-<random>`."""
    return f"d-{client}-{secrets.token_hex(5)}"


def step(name, status, code=None, detail=None):
    """Prints one machine-readable step line."""
    parts = ["STEP", name, str(status), code or "-"]
    if detail:
        parts.append(detail)
    print(" ".join(parts), flush=True)


def error_code(body):
    """Returns the `<Code>` of an S3 error body, or None."""
    match = re.search(rb"<Code>([^<]*)</Code>", body or b"")
    return match.group(1).decode() if match else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(method, url, body=None):
    """Sends one unsigned request; returns (status, error code or None, body bytes)."""
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, None, response.read()
    except urllib.error.HTTPError as error:
        data = error.read()
        return error.code, error_code(data), data
    except (urllib.error.URLError, OSError) as error:
        # No HTTP answer at all (connection refused or reset): status 0, and the run goes on.
        return 0, type(error).__name__, b""


def http_step(name, method, url, body=None, expect_body=None):
    """Sends one unsigned request and prints its step line (with `body-ok`/`body-differs`)."""
    status, code, data = http(method, url, body)
    detail = None
    if expect_body is not None and status == 200:
        detail = "body-ok" if data == expect_body else "body-differs"
    step(name, status, code, detail)
    return status


def public_url(endpoint, bucket, key):
    """The path-style URL of an object."""
    return f"{endpoint}/{bucket}/{urllib.parse.quote(key)}"


def tamper_key(url):
    """Returns the presigned URL with another object key in its path."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + "x"))


def tamper_expiry(url):
    """Returns the presigned URL with its expiry moved 1000 s later (X-Amz-Expires or Expires).

    Only the digits change; every other byte of the URL stays as the client wrote it.
    """
    changed, count = re.subn(
        r"([?&](?:X-Amz-Expires|Expires)=)([0-9]+)",
        lambda match: match.group(1) + str(int(match.group(2)) + 1000),
        url,
    )
    if count != 1:
        raise ValueError(f"Cannot tamper with the expiry: found {count} expiry parameters, want 1")
    return changed
