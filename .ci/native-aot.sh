# Installs what publishing as Native AOT needs besides the .NET SDK (Debian's clang and zlib headers), for the test
# that publishes the WebApi sample that way. Sourced by .ci/run as root on a Debian 12 machine, so it returns instead
# of exiting. Does nothing when clang is already there; prints nothing unless the install fails.
pipeline_install_native_toolchain() {
  local log
  command -v clang >/dev/null && [ -f /usr/include/zlib.h ] && return 0
  log="$(mktemp)"
  if ! { apt-get install -y clang zlib1g-dev || { apt-get update && apt-get install -y clang zlib1g-dev; }; } >"$log" 2>&1; then
    cat "$log"; rm -f "$log"; echo "native-aot.sh: could not install clang"; return 1
  fi
  rm -f "$log"
}
DEBIAN_FRONTEND=noninteractive pipeline_install_native_toolchain
pipeline_status=$?
unset -f pipeline_install_native_toolchain
[ "$pipeline_status" -eq 0 ]
