#!/usr/bin/env bash
# Installs everything CI needs beyond Deno, from Debian: Ceph RGW (via ceph.sh install), Jupyter
# with nbconvert/nbclient (to execute the notebook) and the third-party S3 clients the tests drive
# (awscli, boto3, boto 2, rclone, s3cmd). Skips in about a second when everything is present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

PACKAGES=(
  jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
  awscli python3-boto3 python3-boto rclone s3cmd curl
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install.sh: packages present: ${PACKAGES[*]}" >&2
else
  echo "install.sh: installing: ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

bash "$here/ceph.sh" install
