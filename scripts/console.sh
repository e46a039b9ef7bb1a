#!/usr/bin/env bash
# `npm run console`: probebook in this terminal. Sets the machine up as
# `npm start` does, adds Debian's jupyter-console (only this command needs it,
# so scripts/setup.sh stays lean), then runs `probebook console`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
if ! dpkg-query -W -f='${Status}' jupyter-console 2>/dev/null | grep -q 'install ok installed'; then
  printf '\033[1mconsole:\033[0m installing jupyter-console\n'
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-console >/dev/null
fi
exec node bin/probebook.js console "$@"
