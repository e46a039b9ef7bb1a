"""Runs every Python test module under test/ (test_*.py) with unittest and
writes {passed, failed, skipped} as JSON for scripts/sum-results.mjs.

These suites drive the kernel through Debian's Jupyter clients
(jupyter_kernel_test, nbclient, jupyter-server), so they must run under
/usr/bin/python3, which sees Debian's Python packages."""
import argparse
import json
import pathlib
import sys
import unittest

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--json", required=True)
args = parser.parse_args()

suite = unittest.TestSuite()
loader = unittest.TestLoader()
for path in sorted((root / "test").rglob("test_*.py")):
    sys.path.insert(0, str(path.parent))
    suite.addTests(loader.loadTestsFromName(path.stem))
    sys.path.pop(0)

result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
counts = {"passed": result.testsRun - failed - len(result.skipped), "failed": failed, "skipped": len(result.skipped)}
pathlib.Path(args.json).write_text(json.dumps(counts))
sys.exit(1 if failed else 0)
