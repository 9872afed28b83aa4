#!/usr/bin/env bash
# Ceph RGW for the tests: a throwaway single-node cluster (1 mon, 1 memstore OSD, 1 RGW) on
# loopback, the same S3 gateway DreamObjects runs.
#
#   tests/engines/ceph.sh install [PKG...] apt-get install the Ceph packages and any PKG given
#                                          (skips what is present)
#   tests/engines/ceph.sh start DIR PORT   start a cluster in DIR, RGW on 127.0.0.1:PORT, mon on
#                                          PORT+10000; prints the endpoint URL on stdout
#   tests/engines/ceph.sh stop DIR         stop the daemons of the cluster in DIR
#
# Users: demo (DEMOACCESSKEY) and other (OTHERACCESSKEY), the same key pairs as the embedded
# server's DEMO_USERS. They are public throwaway values that open nothing but this loopback RGW.
# Environment: MEMSTORE_BYTES (OSD size, default 4 GiB: a full memstore OSD makes RGW 16 hold
# every write, and reads too, without an answer, as seen here once 1 GiB filled), RGW_START_TIMEOUT
# (seconds, default 180).
set -euo pipefail

PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)

log() { echo "ceph.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# Runs a command as root: directly when we are root, else through sudo without a prompt.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Lists the packages of "$@" that dpkg does not have installed.
missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      echo "$pkg"
  done
}

# Installs Debian packages that are missing; quiet, non-interactive, idempotent.
apt_install() {
  local missing
  missing=$(missing_packages "$@")
  if [ -z "$missing" ]; then
    log "packages present: $*"
    return 0
  fi
  # shellcheck disable=SC2086
  log "installing:" $missing
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $missing >/dev/null
}

cmd_install() {
  apt_install "${PACKAGES[@]}" "$@"
}

# True when something answers HTTP on 127.0.0.1:$1.
http_up() {
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the names of the daemons of DIR that are not running (a daemon removes its pid file
# when it exits).
dead_daemons() {
  local name pidfile
  for name in mon.a osd.0 client.rgw; do
    pidfile="$1/run/$name.pid"
    if [ ! -f "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then echo "$name"; fi
  done
}

# Prints the last lines of each daemon log, to explain a failed start.
show_logs() {
  local f
  for f in "$1"/log/*.log; do
    [ -f "$f" ] || continue
    log "--- last lines of $f"
    tail -n 15 "$f" >&2
  done
}

# Starts the cluster, retrying once from scratch: a start can fail when the machine is busy.
cmd_start() {
  local dir=${1:?Usage: ceph.sh start DIR PORT} port=${2:?Usage: ceph.sh start DIR PORT}
  local tool p
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
    command -v "$tool" >/dev/null ||
      die "Cannot start Ceph: \"$tool\" is not installed; run \"tests/engines/ceph.sh install\""
  done
  for p in "$port" $((port + 10000)); do
    if port_busy "$p"; then
      die "Cannot start Ceph on port \"$p\": something already listens there; pick another port"
    fi
  done
  # Pacific's memstore OSD sometimes dies at its first boot ("wrong fsid"); a fresh start works.
  local attempt
  for attempt in 1 2 3; do
    if start_once "$dir" "$port"; then return 0; fi
    cmd_stop "$dir"
    [ "$attempt" -lt 3 ] && log "start attempt $attempt failed; starting again from scratch"
  done
  show_logs "$dir"
  die "Cannot start RGW on port \"$port\" after 3 attempts; see the logs above"
}

# Runs a `ceph` command, retried: on a busy machine a client can send its command before it has
# the monitor map, and the mon refuses it ("handle_command on fsid 0000... != <fsid>", EPERM).
mon_command() {
  local conf=$1 try
  shift
  for try in 1 2 3 4 5 6 7 8 9 10; do
    ceph -c "$conf" --connect-timeout 10 "$@" && return 0
    sleep 0.5
  done
  return 1
}

# One attempt at starting the cluster; returns non-zero (after showing logs) when it fails.
start_once() {
  local dir=$1 port=$2
  local monport=$((port + 10000)) timeout=${RGW_START_TIMEOUT:-180} started=$SECONDS
  local conf="$dir/ceph.conf" fsid osd_uuid i dead

  # Stop a previous cluster left in DIR before wiping it.
  [ -d "$dir/run" ] && cmd_stop "$dir" 2>/dev/null
  rm -rf "$dir"
  mkdir -p "$dir"/{run,log,mon.a,osd.0}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  # The OSD is registered and formatted under one uuid: without it, the OSD's boot-time "osd create"
  # can race the mon's record and die with "wrong fsid" on a busy machine.
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$monport
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-4294967296}
osd crush chooseleaf type = 0
# The OSD would set its own crush place and device class with mon commands as it boots; on a
# busy machine such a command can be refused (see mon_command) and the OSD exits. The script
# places it instead.
osd crush update on start = false
osd class update on start = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
keyring = $dir/keyring
mon data = $dir/\$name
osd data = $dir/osd.\$id
ms bind ipv4 = true
ms bind ipv6 = false
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw dns name = localhost
rgw thread pool size = 64
CONF

  log "starting mon (127.0.0.1:$monport), memstore osd and rgw in $dir"
  {
    monmaptool --create --add a "v1:127.0.0.1:$monport" --fsid "$fsid" "$dir/monmap"
    ceph-mon --mkfs -i a --monmap "$dir/monmap" -c "$conf"
    ceph-mon -i a -c "$conf"
    mon_command "$conf" osd create "$osd_uuid" 0
    ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" -c "$conf"
    mon_command "$conf" osd crush add osd.0 1.0 host=localhost root=default
    ceph-osd -i 0 -c "$conf"
    radosgw -n client.rgw -c "$conf"
  } >>"$dir/log/setup.log" 2>&1 || {
    log "Cannot start Ceph in \"$dir\": a daemon failed to start; see the logs above"
    return 1
  }

  for ((i = 0; i < timeout; i++)); do
    http_up "$port" && break
    dead=$( ((i >= 5)) && dead_daemons "$dir")
    if [ -n "$dead" ]; then
      log "Cannot start RGW on port \"$port\": daemon(s) exited:" $dead
      return 1
    fi
    sleep 1
  done
  if ! http_up "$port"; then
    log "Cannot start RGW on port \"$port\": no answer after ${timeout}s; see the logs above"
    return 1
  fi

  radosgw-admin -c "$conf" user create --uid=demo --display-name="Demo User" \
    --access-key=DEMOACCESSKEY --secret-key=DEMOSECRETKEY --email=demo@example.com \
    >>"$dir/log/setup.log" 2>&1 || die "Cannot create RGW user \"demo\": see $dir/log/setup.log"
  radosgw-admin -c "$conf" user create --uid=other --display-name="Other User" \
    --access-key=OTHERACCESSKEY --secret-key=OTHERSECRETKEY --email=other@example.com \
    >>"$dir/log/setup.log" 2>&1 || die "Cannot create RGW user \"other\": see $dir/log/setup.log"

  log "rgw up at http://127.0.0.1:$port after $((SECONDS - started))s" \
    "(users: demo DEMOACCESSKEY, other OTHERACCESSKEY)"
  echo "http://127.0.0.1:$port"
}

cmd_stop() {
  local dir=${1:?Usage: ceph.sh stop DIR} pidfile pid pids=() i
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  # Wait up to 10 s for the daemons to exit, then force them.
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  log "stopped ${#pids[@]} daemon(s) of $dir"
}

case "${1:-}" in
install) cmd_install "${@:2}" ;;
start) cmd_start "${@:2}" ;;
stop) cmd_stop "${@:2}" ;;
*)
  echo "Usage: ceph.sh install [PKG...] | start DIR PORT | stop DIR" >&2
  exit 2
  ;;
esac
