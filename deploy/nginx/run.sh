#!/usr/bin/env bash
# Start nginx in the foreground as the front door of one host: the workshop's event streams
# (/w/<code>/events/) go to Pushpin, which holds them; every other request goes straight to
# gunicorn. Votes, joins and pages then cost no Pushpin hop (Pushpin spends more CPU proxying
# a request than nginx does, see bench/workshop_load.py).
#
# Writes DIR/nginx.conf with its pid, logs and temporary files inside DIR, and runs
# `nginx -g 'daemon off;'` (stop it with `kill PID`).
#
#   NGINX_DIR=var/nginx NGINX_HTTP=127.0.0.1:8000 NGINX_APP=127.0.0.1:8001 \
#   NGINX_PUSH=127.0.0.1:8002 deploy/nginx/run.sh
#
# NGINX_APP and NGINX_PUSH take comma-separated lists (several app servers, several Pushpin
# servers: nginx balances across them). NGINX_CHECK=1 only tests the written configuration.
# In production the TLS proxy takes this role; deploy/nginx/compass.conf shows its rules.
set -euo pipefail

DIR=${NGINX_DIR:-var/nginx}
HTTP=${NGINX_HTTP:-127.0.0.1:8000}
APP=${NGINX_APP:-127.0.0.1:8001}
PUSH=${NGINX_PUSH:-127.0.0.1:8002}
WORKERS=${NGINX_WORKERS:-1}
HERE=$(cd "$(dirname "$0")" && pwd)

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx is not installed (Debian: apt-get install nginx-light)." >&2
  exit 1
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$DIR/tmp"
DIR=$(cd "$DIR" && pwd)

servers() {
  local IFS=,
  for server in $1; do echo "    server $server;"; done
}

# One connection per phone: 2,000 phones need well over 2,000 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

cat > "$DIR/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
worker_rlimit_nofile $(ulimit -Hn);
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $DIR/tmp/body;
  proxy_temp_path $DIR/tmp/proxy;
  fastcgi_temp_path $DIR/tmp/fastcgi;
  uwsgi_temp_path $DIR/tmp/uwsgi;
  scgi_temp_path $DIR/tmp/scgi;
  upstream compass_app {
$(servers "$APP")
  }
  upstream compass_push {
$(servers "$PUSH")
    keepalive 16;
  }
  server {
    listen $HTTP;
    include $HERE/compass.conf;
  }
}
CONF

if [ "${NGINX_CHECK:-0}" = 1 ]; then
  exec "$NGINX" -t -q -p "$DIR" -c "$DIR/nginx.conf"
fi
exec "$NGINX" -p "$DIR" -c "$DIR/nginx.conf" -g 'daemon off;'
