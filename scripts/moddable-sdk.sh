# Makes the Moddable SDK available to the tests and the sim/esp32 scripts. Sourced by
# scripts/test.sh, or run as `bash scripts/moddable-sdk.sh <command>...` to run the command with it.
# A MODDABLE already set (the user's own SDK) is used as it is, its tools put first on PATH.
# Otherwise, where the shared SDK copy exists beside the project (../shared/moddable-sdk, an
# unmodified subset of the 8.2.3 sources), its set-up script (../shared/tools/moddable-setup.sh)
# builds the Linux tools and the simulator once into a cache folder, and MODDABLE and PATH are
# exported from what it prints. With neither, nothing is set and the simulator suites skip,
# saying why. No SDK file is copied into the project.
moddable_shared="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared"
if [ -n "${MODDABLE:-}" ]; then
  export PATH="$MODDABLE/build/bin/lin/release:$PATH"
  echo "moddable-sdk: using MODDABLE=$MODDABLE" >&2
elif [ -d "$moddable_shared/moddable-sdk" ] && [ -f "$moddable_shared/tools/moddable-setup.sh" ]; then
  echo "moddable-sdk: setting up the SDK from ../shared/moddable-sdk (built once into a cache folder, a few minutes)" >&2
  if ! moddable_exports=$(bash "$moddable_shared/tools/moddable-setup.sh"); then
    echo "moddable-sdk: the SDK set-up failed (see above); fix it, or set MODDABLE to an SDK of your own" >&2
    exit 1
  fi
  eval "$moddable_exports"
  unset moddable_exports
  echo "moddable-sdk: MODDABLE=$MODDABLE" >&2
else
  echo "moddable-sdk: no MODDABLE and no ../shared/moddable-sdk: the simulator, ESP32-build and self-test suites skip" >&2
fi
unset moddable_shared
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  exec "$@"
fi
