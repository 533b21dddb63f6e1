#!/usr/bin/env bash
# The Debian packages the test suite needs: Prosody and ejabberd (the hubs the integration tests start),
# openssl (its certificates), make and a C compiler (to build the XS engine the unit suites
# also run on), Chromium (the dashboard's end-to-end test), python3-slixmpp (a stock client in the
# ad-hoc suite), prosody-modules (mod_sasl2, mod_sasl2_bind2, mod_sasl2_sm: SASL2 on the hub), and where the Moddable SDK is set up
# (MODDABLE), Xvfb for its simulator. Installs what is missing when run as root; otherwise
# prints the command and fails.
set -euo pipefail

missing=()
command -v prosody >/dev/null 2>&1 || missing+=(prosody)
command -v ejabberdctl >/dev/null 2>&1 || [ -x /usr/sbin/ejabberdctl ] || missing+=(ejabberd)
[ -f /usr/lib/prosody/modules/mod_sasl2/mod_sasl2.lua ] || [ -f /usr/lib/prosody/modules/mod_sasl2.lua ] || missing+=(prosody-modules)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v cc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# slixmpp, a stock client's XEP-0050 plugin, in the ad-hoc interop suite (Debian's python3).
/usr/bin/python3 -c 'import slixmpp' >/dev/null 2>&1 || missing+=(python3-slixmpp)
if [ -n "${MODDABLE:-}" ]; then
  command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
# Keep the packages' own services from starting: the tests start their own Prosody and ejabberd.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
fi
trap 'if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
