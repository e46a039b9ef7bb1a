"""Every notebook in notebooks/ runs top to bottom under nbclient (Debian's
python3-nbclient) with the installed probebook kernel, and none of its cells
produces an error output or stderr text. Run with Debian's interpreter:

    /usr/bin/python3 -m unittest discover -s test/frontends -p 'test_*.py'

The kernelspec is installed with `bin/probebook.js install --prefix` into a
temporary prefix found through JUPYTER_PATH, so the kernel starts exactly as
Jupyter starts it (from dist/: `npm run build` first; `npm test` does).
One test per notebook, named after the file."""

import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import nbclient
import nbformat

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NODE = shutil.which("node") or "node"
# Probe cells collect for a few seconds; the first cell also starts the sandbox.
CELL_TIMEOUT_S = 120


def require_built_dist() -> None:
    for rel in ("dist/kernel/main.js", "dist/runtime/session.js", "dist/sandbox/prelude.js"):
        if not (REPO / rel).exists():
            raise AssertionError(
                f"{rel} is missing: the notebooks run on the built kernel. "
                f"Run `npm run build` (or `npm test`, which builds first) in {REPO}"
            )


def problems(nb) -> list[str]:
    """Error outputs and stderr text, each named by its cell."""
    found = []
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code_cells, 1):
        where = f"code cell {n} ({cell.source.splitlines()[0] if cell.source else 'empty'!r})"
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"{where}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"{where}: stderr: {out.text.strip()}")
    return found


class NotebookTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_built_dist()
        cls._prefix = Path(tempfile.mkdtemp(prefix="probebook-nbclient-"))
        subprocess.run(
            [NODE, str(REPO / "bin/probebook.js"), "install", "--prefix", str(cls._prefix)],
            check=True, capture_output=True, text=True, cwd=REPO,
        )
        cls._old_jupyter_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = str(cls._prefix / "share/jupyter")

    @classmethod
    def tearDownClass(cls):
        if cls._old_jupyter_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = cls._old_jupyter_path
        shutil.rmtree(cls._prefix, ignore_errors=True)

    def test_there_are_notebooks(self):
        self.assertTrue(NOTEBOOKS, f"no notebooks found in {REPO / 'notebooks'}")

    def run_notebook(self, path: Path) -> None:
        nb = nbformat.read(path, as_version=4)
        self.assertEqual(nb.metadata.get("kernelspec", {}).get("name"), "probebook", f"{path.name} must name the probebook kernelspec")
        client = nbclient.NotebookClient(
            nb,
            kernel_name="probebook",
            timeout=CELL_TIMEOUT_S,
            # Run every cell even after an error, so the failure lists all of them.
            allow_errors=True,
            resources={"metadata": {"path": str(REPO / "notebooks")}},
        )
        client.execute()
        found = problems(nb)
        self.assertEqual(found, [], f"{path.name} produced error output:\n" + "\n".join(found))
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        self.assertTrue(all(c.get("execution_count") for c in code_cells), f"{path.name}: not every code cell ran")


def _make_test(path: Path):
    def test(self):
        self.run_notebook(path)
    test.__doc__ = f"notebooks/{path.name} runs with no error output"
    return test


for _path in NOTEBOOKS:
    _name = "test_" + "".join(ch if ch.isalnum() else "_" for ch in _path.stem)
    setattr(NotebookTests, _name, _make_test(_path))


if __name__ == "__main__":
    unittest.main()
