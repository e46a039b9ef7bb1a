"""Jupyter protocol conformance of the probebook kernel, via Debian's
jupyter_kernel_test (0.4.5). Run with Debian's interpreter:

    /usr/bin/python3 -m unittest discover -s test/kernel -p 'test_conformance.py' -v

By default the kernelspec is installed with `bin/probebook.js install --prefix`
into a temporary prefix, so the kernel runs exactly as Jupyter would run it
(dist/ must be built: `npm run build`). Setting

    PROBEBOOK_CONFORMANCE_EXECUTOR=test-fixture

instead runs the kernel with the node:vm TEST executor from
test/kernel/fixtures (checks kernel/ alone, before or without the runtime).

The samples are TypeScript cells; what they need from the cell runtime:
  - console.log / console.error -> stdout / stderr stream messages
  - the value of a cell's last expression -> execute_result whose text/plain
    for a number is its decimal text ("42")
  - display(value) -> display_data with text/plain; display(an arquero
    table) -> display_data with text/html (and a global `aq`)
  - clear_output() -> clear_output message
  - throw -> one error message and an error reply
  - completion of a global name prefix; inspect of a global (Math.max)
  - isComplete: unclosed brackets at the end -> incomplete, syntax errors
    before the end -> invalid
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import jupyter_kernel_test

REPO = Path(__file__).resolve().parents[2]
EXECUTOR = os.environ.get("PROBEBOOK_CONFORMANCE_EXECUTOR", "runtime")
NODE = shutil.which("node") or "node"


def install_kernelspec(prefix: Path) -> None:
    """Puts a `probebook` kernelspec under <prefix>/share/jupyter/kernels."""
    if EXECUTOR == "test-fixture":
        bundle = subprocess.run(
            [NODE, str(REPO / "test/kernel/fixtures/build-test-kernel.mjs")],
            check=True, capture_output=True, text=True, cwd=REPO,
        ).stdout.strip()
        spec_dir = prefix / "share/jupyter/kernels/probebook"
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [NODE, bundle, "-f", "{connection_file}"],
            "display_name": "probebook (test executor)",
            "language": "typescript",
            "interrupt_mode": "message",
        }))
    elif EXECUTOR == "runtime":
        if not (REPO / "dist/kernel/main.js").exists():
            # Not a skip: `npm test` always builds dist/ first, so its absence
            # is a broken setup and must show up as a failure.
            raise AssertionError(
                f"dist/kernel/main.js is missing: the conformance suite runs the built kernel. "
                f"Run `npm run build` (or `npm test`, which builds first) in {REPO}"
            )
        subprocess.run(
            [NODE, str(REPO / "bin/probebook.js"), "install", "--prefix", str(prefix)],
            check=True, capture_output=True, text=True, cwd=REPO,
        )
    else:
        sys.exit(f"PROBEBOOK_CONFORMANCE_EXECUTOR must be 'runtime' or 'test-fixture', not {EXECUTOR!r}")


class ProbebookKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "probebook"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'
    code_generate_error = 'throw new Error("boom")'

    completion_samples = [
        {"text": "encodeURICompo", "matches": {"encodeURIComponent"}},
        {"text": "parseFl", "matches": {"parseFloat"}},
    ]

    complete_code_samples = ["const answer = 6 * 7", 'console.log("hi")', "function f(): number {\n  return 1;\n}"]
    incomplete_code_samples = ["function f() {", "const xs = [1, 2,", 'console.log("a",']
    invalid_code_samples = ["const = ;", ")", "let 1x = 2"]

    code_display_data = [
        {"code": "display(42)", "mime": "text/plain"},
        {"code": "display(aq.table({ x: [1, 2, 3] }))", "mime": "text/html"},
    ]

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "Math.max(3, 9)", "result": "9"},
    ]
    # A glob that matches exactly one of the code_execute_result cells.
    code_history_pattern = "6 ? 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"
    code_clear_output = "clear_output()"
    # help(value) pages the value's TSDoc (runtime/sandbox/prelude/help.ts).
    code_page_something = "help(tracepoint)"

    @classmethod
    def setUpClass(cls):
        cls._prefix = Path(tempfile.mkdtemp(prefix="probebook-kernelspec-"))
        install_kernelspec(cls._prefix)
        cls._old_jupyter_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = str(cls._prefix / "share/jupyter")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls._old_jupyter_path is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = cls._old_jupyter_path
            shutil.rmtree(cls._prefix, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
