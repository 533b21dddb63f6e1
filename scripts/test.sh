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
npx mocha
node build/test/xs/run.mjs
