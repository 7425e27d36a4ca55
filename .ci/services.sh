# Installs and starts the PostgreSQL server that the PostgreSQL store's tests run against, then exports
# PIPELINE_TEST_POSTGRES for them. Sourced by .ci/run as root on a Debian 12 machine, so it returns instead of
# exiting and leaves the caller's shell options alone. Idempotent: a second run reuses the package, the cluster,
# the role and the database the first one made. Prints nothing unless something fails.
# A caller that already set PIPELINE_TEST_POSTGRES (its own server) is left as it is.
# Then the same for Citus (distributed PostgreSQL): builds it once per machine from ../shared/citus/, runs a
# coordinator and two workers as three more clusters on this machine (ports 5440-5442), and exports
# PIPELINE_TEST_CITUS. Without ../shared/citus/ it does nothing, and the Citus tests skip saying so.
# Node.js and npm too, when they are missing, for the tests that run tus-js-client.

# A login role with a password (the tests connect over TCP) that owns the test database, so it may create schemas;
# then $2, run in that database as the superuser.
pipeline_prepare_database() {
  local log
  log="$(mktemp)"
  if ! (cd / && runuser -u postgres -- psql -p "$1" -X -q -v ON_ERROR_STOP=1 >"$log" 2>&1 <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline') THEN
        CREATE ROLE pipeline LOGIN PASSWORD 'pipeline';
    END IF;
END
\$\$;
SELECT 'CREATE DATABASE pipeline_tests OWNER pipeline'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pipeline_tests')
\\gexec
\\c pipeline_tests
$2
SQL
  ); then
    cat "$log"; echo "services.sh: could not prepare the test role and database on port $1"; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

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

  pipeline_prepare_database "$port" "" || return 1

  rm -f "$log"
  export PIPELINE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=pipeline;Password=pipeline;Database=pipeline_tests"
}


pipeline_start_citus() {
  local log version name port i
  [ -f "$pipeline_citus/install.sh" ] || return 0
  log="$(mktemp)"
  version="${PG_MAJOR:-15}"

  for node in coordinator:5440 worker1:5441 worker2:5442; do
    name="citus_${node%%:*}"; port="${node##*:}"
    if ! pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1 == v && $2 == n { found = 1 } END { exit !found }'; then
      pg_createcluster "$version" "$name" -p "$port" >"$log" 2>&1 || { cat "$log"; echo "services.sh: could not create $name"; return 1; }
      echo "shared_preload_libraries = 'citus'" > "/etc/postgresql/$version/$name/conf.d/citus.conf"
      # Test clusters on loopback only: the nodes connect to each other as the test role without a password.
      cat > "/etc/postgresql/$version/$name/pg_hba.conf" <<'HBA'
local all all peer
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
HBA
    fi
    if ! pg_lsclusters -h | awk -v v="$version" -v n="$name" '$1 == v && $2 == n && $4 ~ /^online/ { found = 1 } END { exit !found }'; then
      pg_ctlcluster "$version" "$name" start >"$log" 2>&1 || { cat "$log"; echo "services.sh: could not start $name"; return 1; }
    fi
    for i in $(seq 1 60); do
      pg_isready -q -h 127.0.0.1 -p "$port" && break
      [ "$i" -eq 60 ] && { echo "services.sh: $name did not accept connections on port $port"; return 1; }
      sleep 0.5
    done
    pipeline_prepare_database "$port" "CREATE EXTENSION IF NOT EXISTS citus;" || return 1
  done

  if ! (cd / && runuser -u postgres -- psql -p 5440 -d pipeline_tests -X -q -v ON_ERROR_STOP=1 >"$log" 2>&1 <<'SQL'
SELECT citus_set_coordinator_host('127.0.0.1', 5440);
SELECT citus_add_node('127.0.0.1', p) FROM (VALUES (5441), (5442)) AS w (p)
WHERE NOT EXISTS (SELECT FROM pg_dist_node WHERE nodeport = p);
SQL
  ); then
    cat "$log"; echo "services.sh: could not join the Citus workers to the coordinator"; return 1
  fi

  rm -f "$log"
  export PIPELINE_TEST_CITUS="Host=127.0.0.1;Port=5440;Username=pipeline;Password=pipeline;Database=pipeline_tests"
}

# Node.js and npm run tus-js-client, the reference client the resumable upload tests talk to; the tests install it
# from the npm registry.
pipeline_install_node() {
  local log
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  log="$(mktemp)"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; } >"$log" 2>&1; then
    cat "$log"; echo "services.sh: could not install Node.js and npm"; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

pipeline_status=0
pipeline_install_node || pipeline_status=1
# Citus is built first: its install brings Debian's PostgreSQL 15 packages up to date, which must happen before any
# server of that version starts, or a running one loads libraries of another build.
pipeline_citus="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/citus"
if [ -z "${PIPELINE_TEST_CITUS:-}" ] && [ -f "$pipeline_citus/install.sh" ]; then
  bash "$pipeline_citus/install.sh" || { echo "services.sh: could not build and install Citus"; pipeline_status=1; }
fi
if [ -z "${PIPELINE_TEST_POSTGRES:-}" ]; then
  pipeline_start_postgres || pipeline_status=1
fi
if [ -z "${PIPELINE_TEST_CITUS:-}" ] && [ "$pipeline_status" -eq 0 ]; then
  pipeline_start_citus || pipeline_status=1
fi
unset -f pipeline_prepare_database pipeline_start_postgres pipeline_start_citus pipeline_install_node
unset pipeline_citus
[ "$pipeline_status" -eq 0 ]
