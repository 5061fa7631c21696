#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: created in a folder, listening only on a Unix
# socket in that folder (no TCP port to collide with), removed when stopped.
#
#   scripts/pg_test_server.sh start DIR [OWNER_PID]   prints the libpq connection string
#   scripts/pg_test_server.sh stop DIR
#   scripts/pg_test_server.sh crash DIR    the server killed (pg_ctl stop -m immediate: no
#                                          shutdown checkpoint, as a power cut to the server
#                                          process), its data kept
#   scripts/pg_test_server.sh resume DIR   started again on the same data (crash recovery)
#
# PostgreSQL refuses to run as root, which CI is: as root the cluster runs as the 'postgres'
# system user that Debian's postgresql package creates. With OWNER_PID a watchdog stops the
# cluster when that process ends, so a test that crashes leaves no server behind.
# The cluster's superuser is 'pigmatch' (trust authentication on the socket only).
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [OWNER_PID] | stop DIR | crash DIR | resume DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
action=$1
dir=$2

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg_test_server: no PostgreSQL server installed (postgresql-15); run scripts/setup.sh" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

run_server() {
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=60" \
    start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
}

case $action in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      if ! id postgres >/dev/null 2>&1; then
        echo "pg_test_server: running as root needs the 'postgres' system user (the postgresql package creates it)" >&2
        exit 1
      fi
      chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U pigmatch -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    run_server
    if [ $# -ge 3 ]; then
      owner=$3
      # Detached, with no inherited output, so whoever runs this script does not wait for it.
      setsid bash -c "while kill -0 $owner 2>/dev/null && [ -d '$dir/data' ]; do sleep 1; done
        '$0' stop '$dir'" </dev/null >/dev/null 2>&1 &
    fi
    echo "host=$dir dbname=postgres user=pigmatch"
    ;;
  crash)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    run_server
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    usage
    ;;
esac
