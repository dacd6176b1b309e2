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
