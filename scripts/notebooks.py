"""`npm run notebooks`: executes every notebook in notebooks/ top to bottom
with nbclient against the real probebook kernel and stores the outputs in the
notebook, so a reader on GitHub (or in any viewer) sees the tables and plots
without running anything.

    /usr/bin/python3 scripts/notebooks.py                 # all of them
    /usr/bin/python3 scripts/notebooks.py 02-files        # one (name or path)
    /usr/bin/python3 scripts/notebooks.py --check         # execute, store nothing

Runs on the built kernel (dist/: `npm run build`; `npm run notebooks` builds
first) installed as a kernelspec into a temporary prefix on JUPYTER_PATH, so
the kernel starts exactly as Jupyter starts it. A notebook with an error
output is not stored and the command fails, naming the cell. The test suite
(test/frontends/test_notebooks.py) executes them the same way, through
`execute()` here.

Must run under /usr/bin/python3, which sees Debian's nbclient."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import nbclient
import nbformat

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO / "notebooks"
NODE = shutil.which("node") or "node"
# A probe cell collects for a few seconds; the first cell also starts the sandbox.
CELL_TIMEOUT_S = 120


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def require_built_dist() -> None:
    for rel in ("dist/kernel/main.js", "dist/runtime/session.js", "dist/sandbox/prelude.js"):
        if not (REPO / rel).exists():
            raise SystemExit(
                f"{rel} is missing: the notebooks run on the built kernel. "
                f"Run `npm run build` (or `npm run notebooks`, which builds first) in {REPO}")


@contextmanager
def installed_kernelspec():
    """The probebook kernelspec in a temporary prefix, found through JUPYTER_PATH while inside."""
    require_built_dist()
    prefix = Path(tempfile.mkdtemp(prefix="probebook-kernelspec-"))
    old = os.environ.get("JUPYTER_PATH")
    try:
        subprocess.run([NODE, str(REPO / "bin/probebook.js"), "install", "--prefix", str(prefix)],
                       check=True, capture_output=True, text=True, cwd=REPO)
        os.environ["JUPYTER_PATH"] = str(prefix / "share/jupyter")
        yield
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old
        shutil.rmtree(prefix, ignore_errors=True)


def execute(path: Path):
    """Runs the notebook at `path` (kernelspec installed: see installed_kernelspec)
    and returns it with its new outputs and the seconds it took. Every cell runs,
    even after an error, so problems() lists all of them."""
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.get("kernelspec", {}).get("name") != "probebook":
        raise ValueError(f"{path.name} must name the probebook kernelspec in its metadata")
    client = nbclient.NotebookClient(
        nb, kernel_name="probebook", timeout=CELL_TIMEOUT_S, allow_errors=True,
        # Timestamps per cell would change every stored notebook on every run.
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    started = time.monotonic()
    client.execute()
    return nb, time.monotonic() - started


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def problems(nb) -> list[str]:
    """Error outputs, stderr text and cells that did not run, each named by its cell."""
    found = []
    for n, cell in enumerate(code_cells(nb), 1):
        where = f"code cell {n} ({cell.source.splitlines()[0] if cell.source else 'empty'!r})"
        if not cell.get("execution_count"):
            found.append(f"{where}: did not run")
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{where}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"{where}: stderr: {out.text.strip()}")
    return found


def chosen(names: list[str]) -> list[Path]:
    if not names:
        return notebooks()
    out = []
    for name in names:
        path = Path(name)
        if not path.exists():
            matches = [p for p in notebooks() if p.stem == name or p.stem.startswith(name)]
            if len(matches) != 1:
                raise SystemExit(f"{name}: matches {len(matches)} of {', '.join(p.stem for p in notebooks())}")
            path = matches[0]
        out.append(path.resolve())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="names (02-files, or a prefix: 02) or paths; default: all")
    parser.add_argument("--check", action="store_true", help="execute, but store nothing")
    args = parser.parse_args()
    failed = 0
    with installed_kernelspec():
        for path in chosen(args.notebooks):
            nb, seconds = execute(path)
            found = problems(nb)
            if found:
                failed += 1
                print(f"{path.name}: {len(found)} problem(s), not stored:\n  " + "\n  ".join(found), file=sys.stderr)
                continue
            if not args.check:
                nbformat.write(nb, path)
            print(f"{path.name}: {len(code_cells(nb))} cells in {seconds:.1f} s{'' if args.check else ', outputs stored'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
