#!/usr/bin/env bash
# Sourced by test.sh after setup.sh (whose install_debian_packages it uses): makes a PostgreSQL 15 + PostGIS database for the tests and exports
#   BACKSTOP_TEST_POSTGRES_URL  the database (the store, two-node and restore tests use it)
#   BACKSTOP_TEST_RESTART_POSTGRES_URL and BACKSTOP_TEST_RESTART_PG_CTL
#                               a second server, and how to stop/start it (the restart test)
# When BACKSTOP_TEST_POSTGRES_URL is set already, that database is used and nothing is started;
# the restart test then runs only if the two RESTART variables are given too.
# Otherwise a throwaway cluster is created in a temporary directory on a free loopback port
# and removed when the calling shell exits: no running service or credentials are assumed.

if [ -n "${BACKSTOP_TEST_POSTGRES_URL:-}" ]; then
  echo "postgres: using the given database $BACKSTOP_TEST_POSTGRES_URL"
  return 0 2>/dev/null || exit 0
fi

install_debian_packages postgresql-15 postgresql-15-postgis-3 postgresql-client-15

pg_bin=/usr/lib/postgresql/15/bin
# PostgreSQL refuses to run as root; CI runs as root, so the cluster belongs to `postgres` there.
pg_as=()
if [ "$(id -u)" -eq 0 ]; then pg_as=(runuser -u postgres --); fi

pg_dirs=()
# Starts a cluster in a new temporary directory on a free port; sets pg_url and pg_ctl.
start_test_cluster() {
  local dir port
  dir=$(mktemp -d /tmp/backstop-pg.XXXXXX)
  pg_dirs+=("$dir")
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  "${pg_as[@]}" "$pg_bin/initdb" -D "$dir/data" -U backstop --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "postgres: initdb failed" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
CONF
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
    || { cat "$dir/server.log" >&2; echo "postgres: the server did not start" >&2; exit 1; }
  "${pg_as[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U backstop backstop_test
  pg_url="postgres://backstop@127.0.0.1:$port/backstop_test"
  pg_ctl="${pg_as[*]} $pg_bin/pg_ctl -D $dir/data -l $dir/server.log -w"
}

backstop_stop_test_postgres() {
  for dir in "${pg_dirs[@]}"; do
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
}
trap backstop_stop_test_postgres EXIT

start_test_cluster
export BACKSTOP_TEST_POSTGRES_URL="$pg_url"
# The restart test stops and starts its server, so it gets a cluster of its own: the other
# suites run beside it.
start_test_cluster
export BACKSTOP_TEST_RESTART_POSTGRES_URL="$pg_url"
export BACKSTOP_TEST_RESTART_PG_CTL="$pg_ctl"
echo "postgres: throwaway clusters at $BACKSTOP_TEST_POSTGRES_URL and $BACKSTOP_TEST_RESTART_POSTGRES_URL (PostGIS $(dpkg-query -W -f='${Version}' postgresql-15-postgis-3))"
