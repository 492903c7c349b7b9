#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the distributed-store tests.
#   eng/start-postgres.sh start <dir> [port]   initdb (once) + start; writes <dir>/env (source it)
#   eng/start-postgres.sh stop <dir>
# <dir>/env exports NASGEN_TEST_POSTGRES (a connection string without the password), PGPASSFILE (the password,
# in a mode-0600 file) and NASGEN_TEST_PGCTL (the command the tests use to restart the server). The password is
# random and never printed. Run as root (the cluster runs as the postgres user) or as an ordinary user.
set -euo pipefail

action=${1:?usage: start-postgres.sh start|stop <dir> [port]}
dir=${2:?usage: start-postgres.sh start|stop <dir> [port]}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x "$bin/initdb" ]] || { echo "start-postgres: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1
    fi
    # fsync off: a throwaway test cluster; a restart (pg_ctl restart) still keeps committed data.
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
    fi
    password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    # The password travels on stdin (psql variable), not on a command line.
    as_owner psql -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q -v pw="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE nasgen LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nasgen') \gexec
ALTER ROLE nasgen PASSWORD :'pw';
SELECT 'CREATE DATABASE nasgen OWNER nasgen' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'nasgen') \gexec
SQL
    umask 077
    printf '127.0.0.1:%s:*:nasgen:%s\n' "$port" "$password" >"$dir/pgpass"
    if [[ $(id -u) -eq 0 ]]; then pgctl="runuser -u postgres -- $bin/pg_ctl -D $dir/data -w -t 60"; else pgctl="$bin/pg_ctl -D $dir/data -w -t 60"; fi
    cat >"$dir/env" <<ENV
export NASGEN_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=nasgen;Database=nasgen'
export PGPASSFILE='$dir/pgpass'
export NASGEN_TEST_PGCTL='$pgctl'
ENV
    echo "start-postgres: PostgreSQL running on 127.0.0.1:$port (settings in $dir/env)"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: start-postgres.sh start|stop <dir> [port]" >&2; exit 2 ;;
esac
