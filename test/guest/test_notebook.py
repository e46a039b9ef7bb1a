"""A notebook end to end inside the qemu guest (scripts/guest/): nbclient
starts the probebook kernel there from its installed kernelspec and talks to
it over ZeroMQ on the guest's loopback, and the cells probe kernel functions
that the host kernel lacks. The workload is this test's own process: it opens
a file unique to the test every millisecond until killed, and the probes
filter on its pid, so the counts are exact.

Run by scripts/guest/inside.sh with test/run_python_tests.py --under test/guest."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import nbclient
import nbformat

REPO = Path(__file__).resolve().parents[2]
NODE = shutil.which("node") or "node"
# The guest runs 12-30x slower than the host; the first cell also starts the sandbox.
CELL_TIMEOUT_S = 600
ROWS = 500


def prebuilt(name: str) -> str:
    """The workload the host built before the boot (scripts/guest/test-kernels.mjs)."""
    path = Path(os.environ["PB_PREBUILT_WORKLOADS"]) / f"{name}_-O2" / name
    if not path.exists():
        raise AssertionError(f"{path} is missing: the host builds the guest's workloads before it boots")
    return str(path)


class KernelFunctionNotebook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._prefix = Path(tempfile.mkdtemp(prefix="probebook-kernelspec-"))
        subprocess.run([NODE, str(REPO / "bin/probebook.js"), "install", "--prefix", str(cls._prefix)],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = str(cls._prefix / "share/jupyter")
        cls._file = Path(tempfile.mkstemp(prefix="probebook-guest-nb-")[1])
        cls._workload = subprocess.Popen([prebuilt("open-loop"), str(cls._file), str(10**9), "1000"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert cls._workload.stdout.readline() == b"ready\n"
        cls._workload.stdin.write(b"g")
        cls._workload.stdin.flush()
        pid = cls._workload.pid
        cells = [
            f'const t = await kprobe("do_sys_openat2").arg("filename", 1, "string").where({{ pid: {pid} }})'
            f'.limit({ROWS}).events({{ for: "300s" }});\n'
            'console.log(JSON.stringify({ rows: t.numRows(), files: [...new Set(t.array("filename"))], '
            'pids: [...new Set(t.array("pid"))], attach: t.meta.explain.attach }))',
            f'const lat = await kprobe("do_sys_openat2").latency().where({{ pid: {pid} }}).histogram({{ for: "2s" }});\n'
            'console.log(JSON.stringify({ programs: lat.meta.explain.programs, pairs: lat.array("count").reduce((a, b) => a + b, 0) > 0 }));\n'
            'lat',
            "plot.histogram(lat)",
        ]
        cls.nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nbclient.NotebookClient(cls.nb, kernel_name="probebook", timeout=CELL_TIMEOUT_S).execute()

    @classmethod
    def tearDownClass(cls):
        cls._workload.kill()
        cls._workload.wait()
        cls._file.unlink(missing_ok=True)
        shutil.rmtree(cls._prefix, ignore_errors=True)

    def outputs(self, cell: int):
        return self.nb.cells[cell].outputs

    def printed(self, cell: int):
        return json.loads("".join(o.text for o in self.outputs(cell) if o.output_type == "stream" and o.name == "stdout"))

    def test_no_cell_has_an_error_or_stderr(self):
        bad = [(i, o.output_type) for i, c in enumerate(self.nb.cells) for o in c.outputs
               if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]
        self.assertEqual(bad, [])

    def test_kprobe_events_carry_the_path_for_exactly_the_rows_asked(self):
        self.assertEqual(self.printed(0), {
            "rows": ROWS, "files": [str(self._file)], "pids": [self._workload.pid],
            "attach": ["fentry/fexit do_sys_openat2 (pb_fentry)"],
        })

    def test_latency_histogram_on_the_trampoline_pair_shows_as_a_table(self):
        self.assertEqual(self.printed(1), {"programs": ["pb_lat_fentry", "pb_lat_fexit"], "pairs": True})
        results = [o for o in self.outputs(1) if o.output_type == "execute_result"]
        self.assertEqual(len(results), 1)
        self.assertIn("count", results[0].data["text/plain"])
        self.assertIn("text/html", results[0].data)

    def test_plot_has_vega_lite_and_a_png(self):
        [result] = [o for o in self.outputs(2) if o.output_type == "execute_result"]
        self.assertIn("application/vnd.vegalite.v5+json", result.data)
        self.assertTrue(result.data["image/png"].startswith("iVBORw0KGgo"))  # base64 of the PNG signature


if __name__ == "__main__":
    unittest.main()
