# Installs and starts the PostgreSQL server that the PostgreSQL store's tests run against, then exports
# PIPELINE_TEST_POSTGRES for them. Sourced by .ci/run as root on a Debian 12 machine, so it returns instead of
# exiting and leaves the caller's shell options alone. Idempotent: a second run reuses the package, the cluster,
# the role and the database the first one made. Prints nothing unless something fails.
# A caller that already set PIPELINE_TEST_POSTGRES (its own server) is left as it is.

pipeline_start_postgres() {
  local log version port i
  log="$(mktemp)"

  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >"$log" 2>&1; then
      cat "$log"; echo "services.sh: could not install postgresql"; return 1
    fi
  fi

  # The newest installed major version, with its "main" cluster (the package creates it; make it if it is gone).
  version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    pg_createcluster "$version" main >"$log" 2>&1 || { cat "$log"; echo "services.sh: could not create the cluster"; return 1; }
  fi
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 ~ /^online/ { found = 1 } END { exit !found }'; then
    pg_ctlcluster "$version" main start >"$log" 2>&1 || { cat "$log"; echo "services.sh: could not start PostgreSQL $version"; return 1; }
  fi

  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    [ "$i" -eq 60 ] && { echo "services.sh: PostgreSQL $version did not accept connections on port $port"; return 1; }
    sleep 0.5
  done

  # A login role with a password (the tests connect over TCP) that owns the test database, so it may create schemas.
  if ! (cd / && runuser -u postgres -- psql -p "$port" -X -q -v ON_ERROR_STOP=1 >"$log" 2>&1 <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline') THEN
        CREATE ROLE pipeline LOGIN PASSWORD 'pipeline';
    END IF;
END
$$;
SELECT 'CREATE DATABASE pipeline_tests OWNER pipeline'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pipeline_tests')
\gexec
SQL
  ); then
    cat "$log"; echo "services.sh: could not create the test role and database"; return 1
  fi

  rm -f "$log"
  export PIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=pipeline;Password=pipeline;Database=pipeline_tests"
}

if [ -z "${PIPELINE_TEST_POSTGRES:-}" ]; then
  pipeline_start_postgres
  pipeline_status=$?
  unset -f pipeline_start_postgres
  [ "$pipeline_status" -eq 0 ]
fi
