# Throwaway PostgreSQL and Redis for scripts/test and scripts/bench. Sourced, not run.
# start_services: starts both on free ports under a temporary directory, exports
# DATABASE_URL, CELERY_* and COIN_TEST_REDIS_URL, and stops everything on exit.

start_services() {
  WORK="$(mktemp -d /tmp/coin-test.XXXXXX)"
  chmod 755 "$WORK"
  local pg_bin pg_port redis_port pg_user=coin
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  pg_port="$(free_port)"
  redis_port="$(free_port)"
  if [ "$(id -u)" -eq 0 ]; then RUN_PG=(runuser -u postgres --); else RUN_PG=(); fi
  PG_BIN="$pg_bin"
  trap stop_services EXIT

  echo "== Starting PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port"
  mkdir -p "$WORK/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$WORK/pg"
  "${RUN_PG[@]}" "$pg_bin/initdb" -D "$WORK/pg" -U "$pg_user" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${RUN_PG[@]}" "$pg_bin/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $WORK/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  # --databases: two per pytest-xdist worker (tests/parallel.py), with room to spare.
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --databases 256 \
    --daemonize yes --pidfile "$WORK/redis.pid" --dir "$WORK" --logfile "$WORK/redis.log"

  export DATABASE_URL="postgres://$pg_user@127.0.0.1:$pg_port/coin"
  export COIN_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
  export CELERY_BROKER_URL="$COIN_TEST_REDIS_URL/0"
  export CELERY_RESULT_BACKEND="$COIN_TEST_REDIS_URL/1"
  export COIN_VAR_DIR="$WORK/var"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_services() {
  "${RUN_PG[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
