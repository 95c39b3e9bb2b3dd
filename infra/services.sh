#!/usr/bin/env bash
# Starts, stops or checks CareRoute's own PostgreSQL+PostGIS and Redis, on loopback, with a
# private data directory ($CAREROUTE_DATA_DIR). Idempotent: start on a running set-up does nothing.
#   infra/services.sh start | stop | status | start-redis | stop-redis | start-pg | stop-pg
#                     | reset-test-db
source "$(dirname "$0")/common.sh"

PG_DATA="$DATA_DIR/pg"
REDIS_DIR="$DATA_DIR/redis"
PG_LOG="$DATA_DIR/pg.log"
DB_USER="careroute"
DB_PASS="careroute"

pg_running() { as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" status >/dev/null 2>&1; }
psql_admin() { as_pg psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

start_pg() {
  as_root mkdir -p "$DATA_DIR"
  [ "$(id -u)" = "0" ] && chmod 755 "$DATA_DIR"
  if [ ! -s "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL data in $PG_DATA"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = "0" ] && chown postgres:postgres "$PG_DATA"
    as_pg "$(pg_bin initdb)" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_running; then
    touch "$PG_LOG"; [ "$(id -u)" = "0" ] && chown postgres:postgres "$PG_LOG"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o \
      "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 \
       -c shared_buffers=512MB -c fsync=on -c synchronous_commit=off -c max_wal_size=2GB" \
      >/dev/null || { tail -20 "$PG_LOG"; die "PostgreSQL did not start (log: $PG_LOG)"; }
  fi
  ensure_databases
}

ensure_databases() {
  local db
  psql_admin -d postgres -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$DB_USER')
    THEN CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS' SUPERUSER; END IF; END\$\$;"
  for db in careroute careroute_test; do
    if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$db'")" ]; then
      log "creating database $db"
      psql_admin -d postgres -c "CREATE DATABASE $db OWNER $DB_USER"
    fi
    psql_admin -d "$db" -c "SET client_min_messages=warning; CREATE EXTENSION IF NOT EXISTS postgis"
  done
}

# A brand-new test database, so every test run starts from the migrations alone.
reset_test_db() {
  start_pg
  psql_admin -d postgres -c "DROP DATABASE IF EXISTS careroute_test WITH (FORCE)"
  ensure_databases
}

stop_pg() {
  if pg_running; then
    log "stopping PostgreSQL"
    as_pg "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
}

redis_running() { redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; }

start_redis() {
  mkdir -p "$REDIS_DIR"
  if ! redis_running; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --daemonize yes \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --save "" --appendonly no >/dev/null
    for _ in $(seq 50); do redis_running && break; sleep 0.1; done
    redis_running || die "Redis did not start (log: $REDIS_DIR/redis.log)"
  fi
}

stop_redis() {
  if redis_running; then
    log "stopping Redis"
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
}

status() {
  pg_running && echo "postgresql: running on 127.0.0.1:$PG_PORT" || echo "postgresql: stopped"
  redis_running && echo "redis: running on 127.0.0.1:$REDIS_PORT" || echo "redis: stopped"
}

case "${1:-start}" in
  start) start_pg; start_redis ;;
  stop) stop_redis; stop_pg ;;
  status) status ;;
  start-pg) start_pg ;;
  stop-pg) stop_pg ;;
  start-redis) start_redis ;;
  reset-test-db) reset_test_db ;;
  stop-redis) stop_redis ;;
  *) die "usage: $0 start|stop|status|start-pg|stop-pg|start-redis|stop-redis|reset-test-db" ;;
esac
