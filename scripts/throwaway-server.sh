# Sourced by the scripts that check the running server from outside (contract-test.sh,
# features-test.sh): starts the built server on a throwaway data directory (SQLite, demo data,
# a free port) and stops it, and whatever runner_pid names, when the script exits.
#
#   start_throwaway_server NAME [serve options...]
#
# sets work (the directory, removed at exit), server_pid, base (http://127.0.0.1:PORT) and
# defines token (backstop token create on that store). Needs bin (the server binary).
server_pid=""
runner_pid=""
work=""
cleanup() {
  local status=$?
  if [ -n "$runner_pid" ] && kill -0 "$runner_pid" 2>/dev/null; then
    kill -TERM "$runner_pid" 2>/dev/null || true
    wait "$runner_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -z "$work" ] || rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_throwaway_server() {
  local name=$1
  shift
  work=$(mktemp -d "/tmp/backstop-$name.XXXXXX")
  env -u BACKSTOP_DATABASE_URL "$bin" serve --data-dir "$work/data" --demo --port 0 --log-level warning "$@" \
    </dev/null >"$work/server.log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/server.log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    cat "$work/server.log" >&2
    echo "$name: the server did not start" >&2
    exit 1
  fi
  base="http://127.0.0.1:$port"
}

token() { env -u BACKSTOP_DATABASE_URL "$bin" token create --data-dir "$work/data" "$@" </dev/null; }

# Waits until the demo's incidents (derived in the background) are current, then has an analyst
# and a supervisor verify and release COUNT of them to the public (scripts/features_release.py,
# run with PYTHON); prints how many. Needs BACKSTOP_ANALYST_TOKEN and BACKSTOP_SUPERVISOR_TOKEN.
release_demo_incidents() {
  local count=$1 python=$2 behind
  for _ in $(seq 1 300); do
    behind=$(curl -s -o /dev/null -D - -H "Authorization: Bearer $BACKSTOP_ANALYST_TOKEN" "$base/api/v1/incidents?limit=1" |
      sed -n 's/^[Bb]ackstop-[Ii]ncidents-[Bb]ehind: *\([0-9]*\).*/\1/p')
    [ "${behind:-0}" = "0" ] && break
    sleep 0.2
  done
  BACKSTOP_BASE=$base "$python" scripts/features_release.py "$count"
}
