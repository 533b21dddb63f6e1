#!/usr/bin/env bash
# `npm test`: the Debian packages, the Moddable SDK where there is one, the type check, mocha
# (unit, Node, integration and, with the SDK, the simulator, ESP32-build and self-test suites),
# then the unit suites again on the XS engine.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/moddable-sdk.sh
source scripts/moddable-sdk.sh
bash scripts/system-packages.sh
npm run typecheck
node scripts/build.mjs
# The whole suite is named in test/mocharc.json (not .mocharc.json), so that `npx mocha <file>` runs
# that file alone. A run that has not ended after 60 minutes is stopped: a test that leaves a server
# running keeps mocha from exiting, and CI would wait for it until its own limit.
timeout --kill-after=30 3600 npx mocha --config test/mocharc.json || {
  status=$?
  if [ "$status" -eq 124 ]; then echo "npm test: mocha did not end within 60 minutes (a test left a process running?)" >&2; fi
  exit "$status"
}
node build/test/xs/run.mjs
