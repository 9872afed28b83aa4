#!/usr/bin/env bash
# Installs everything CI needs beyond Deno, from Debian: Ceph RGW (via ceph.sh install), Jupyter
# with nbconvert/nbclient (to execute the notebook) and the third-party S3 clients the tests drive
# (awscli, boto3, boto 2, rclone, s3cmd). Skips in about a second when everything is present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

PACKAGES=(
  jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
  awscli python3-boto3 python3-boto rclone s3cmd curl chromium
)

# One apt-get run for these and the Ceph packages (ceph.sh install takes extra packages).
exec bash "$here/ceph.sh" install "${PACKAGES[@]}"
