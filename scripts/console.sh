#!/usr/bin/env bash
# `npm run console`: probebook in this terminal. Sets the machine up as
# `npm start` does, adds Debian's jupyter-console (only this command needs it,
# so scripts/setup.sh stays lean), then runs `probebook console`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh

bash scripts/setup.sh
ensure_packages console jupyter-console
exec node bin/probebook.js console "$@"
