# Installs the system Chromium that the dashboard's browser tests drive (Debian's chromium package; the tests never
# download a browser of their own). Sourced by .ci/run as root on a Debian 12 machine, so it returns instead of
# exiting. Does nothing when the browser is already there; prints nothing unless the install fails.
pipeline_install_chromium() {
  local log
  [ -x /usr/bin/chromium ] && return 0
  log="$(mktemp)"
  if ! { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >"$log" 2>&1; then
    cat "$log"; rm -f "$log"; echo "browser.sh: could not install chromium"; return 1
  fi
  rm -f "$log"
}
DEBIAN_FRONTEND=noninteractive pipeline_install_chromium
pipeline_status=$?
unset -f pipeline_install_chromium
[ "$pipeline_status" -eq 0 ]
