#!/usr/bin/env bash
# The main job: set the machine up, install the probebook kernelspec, and serve
# notebooks/ on localhost. JupyterLab is used where it is installed, otherwise
# the classic Notebook from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
node bin/probebook.js install --user >/dev/null

port=${PORT:-8888}
token=${PROBEBOOK_TOKEN:-$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')}
# The playground (playground/, built into dist/static by setup) is served by the
# same server as static files: same origin and token, no second port.
static='["'"$PWD"'/dist/static"]'
if command -v jupyter-lab >/dev/null 2>&1; then
  app=(jupyter-lab --ServerApp.token="$token" --ServerApp.port_retries=0 --ServerApp.extra_static_paths="$static") path=lab
else
  app=(/usr/bin/jupyter notebook --NotebookApp.token="$token" --NotebookApp.port_retries=0 --NotebookApp.extra_static_paths="$static") path=tree
fi

echo
echo "probebook: open http://127.0.0.1:${port}/${path}?token=${token}"
echo "probebook: playground http://127.0.0.1:${port}/static/playground/index.html?token=${token}"
echo "probebook: (Ctrl-C stops the server)"
echo
# --allow-root: probes need root (CAP_BPF, CAP_PERFMON), and the kernel runs as
# the server's user. The server listens on loopback only.
exec "${app[@]}" --no-browser --allow-root --ip=127.0.0.1 --port="$port" \
  --notebook-dir="$PWD/notebooks"
