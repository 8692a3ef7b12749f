#!/usr/bin/env bash
# Start Pushpin in the foreground for the workshop's pushed updates (GRIP).
#
# Writes DIR/pushpin.conf from the Debian package's /etc/pushpin/pushpin.conf with rundir and
# logdir inside DIR, the proxy on PUSHPIN_HTTP, the publishing ports from PUSHPIN_PUBLISH_BASE
# (ZeroMQ PULL base+0, HTTP publish base+1, ZeroMQ SUB base+2, command base+3), and a routes
# file pointing at the Django server (PUSHPIN_BACKEND); then runs `pushpin` (its own process
# group; stop it with `kill PID`, its children exit with it).
#
#   PUSHPIN_DIR=var/pushpin PUSHPIN_HTTP=127.0.0.1:8000 PUSHPIN_BACKEND=127.0.0.1:8001 \
#   PUSHPIN_PUBLISH_BASE=5560 deploy/pushpin/run.sh
#
# Django publishes to http://127.0.0.1:$((PUSHPIN_PUBLISH_BASE+1)) (COMPASS_PUSHPIN_CONTROL_URIS).
# Several Pushpin servers: start one per host, list every control URI, comma-separated.
set -euo pipefail

DIR=${PUSHPIN_DIR:-var/pushpin}
HTTP=${PUSHPIN_HTTP:-127.0.0.1:8000}
BACKEND=${PUSHPIN_BACKEND:-127.0.0.1:8001}
BASE=${PUSHPIN_PUBLISH_BASE:-5560}
PUBLISH_HOST=${PUSHPIN_PUBLISH_HOST:-127.0.0.1}
SOURCE=${PUSHPIN_TEMPLATE:-/etc/pushpin/pushpin.conf}
LOG_LEVEL=${PUSHPIN_LOG_LEVEL:-2}  # 2 logs every request; 1 warnings only
# Messages Pushpin delivers per second (one message = one event to one connection). Debian's
# default of 2,500 spreads one push to 1,000 phones over 0.4 s, and a vote-count push in the
# same second doubles that; a reveal should reach a room of thousands within a second.
MESSAGE_RATE=${PUSHPIN_MESSAGE_RATE:-25000}

if ! command -v pushpin >/dev/null; then
  echo "pushpin is not installed (Debian: apt-get install pushpin); the pages will poll." >&2
  exit 1
fi
mkdir -p "$DIR/run" "$DIR/log"
DIR=$(cd "$DIR" && pwd)

# One connection per phone: 2,000 phones need well over 2,000 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

sed -E \
  -e "s|^rundir=.*|rundir=$DIR/run|" \
  -e "s|^logdir=.*|logdir=$DIR/log|" \
  -e "s|^http_port=.*|http_port=$HTTP|" \
  -e "s|^push_in_spec=.*|push_in_spec=tcp://$PUBLISH_HOST:$BASE|" \
  -e "s|^push_in_http_addr=.*|push_in_http_addr=$PUBLISH_HOST|" \
  -e "s|^push_in_http_port=.*|push_in_http_port=$((BASE + 1))|" \
  -e "s|^push_in_sub_specs=.*|push_in_sub_specs=tcp://$PUBLISH_HOST:$((BASE + 2))|" \
  -e "s|^command_spec=tcp.*|command_spec=tcp://$PUBLISH_HOST:$((BASE + 3))|" \
  -e "s|^routesfile=.*|routesfile=$DIR/routes|" \
  -e "s|^updates_check=.*|updates_check=off|" \
  -e "s|^log_level=.*|log_level=$LOG_LEVEL|" \
  -e "s|^message_rate=.*|message_rate=$MESSAGE_RATE|" \
  -e "s|^message_hwm=.*|message_hwm=$((MESSAGE_RATE * 10))|" \
  -e "s|^services=.*|services=condure,zurl,pushpin-proxy,pushpin-handler|" \
  "$SOURCE" > "$DIR/pushpin.conf"
# Debian's package expects a system-wide zurl (the proxy's HTTP client towards Django); run
# our own under this runner instead, on sockets in DIR.
cat >> "$DIR/pushpin.conf" <<CONF

[proxy]
zurl_out_specs=ipc://{rundir}/{ipc_prefix}zurl-in
zurl_out_stream_specs=ipc://{rundir}/{ipc_prefix}zurl-in-stream
zurl_in_specs=ipc://{rundir}/{ipc_prefix}zurl-out
CONF
# Every path to the Django server; it answers the stream URLs with GRIP instructions.
echo "* $BACKEND" > "$DIR/routes"

exec pushpin --config "$DIR/pushpin.conf" --merge-output
