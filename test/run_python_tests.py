"""Runs every Python test module under test/ (test_*.py) with unittest and
writes {passed, failed, skipped} as JSON for scripts/sum-results.mjs: passed
counts only tests that succeeded; import errors, class or module fixture errors,
expected failures and modules without tests count as failed.

These suites drive the kernel through Debian's Jupyter clients
(jupyter_kernel_test, nbclient, jupyter-server), so they must run under
/usr/bin/python3, which sees Debian's Python packages.

test/guest/ holds the suites that run inside the qemu guest (scripts/guest/):
they are left out here unless --under names them."""
import argparse
import json
import pathlib
import sys
import unittest

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--json", required=True)
parser.add_argument("--under", help="run only the modules under this folder (e.g. test/guest)")
args = parser.parse_args()
guest = root / "test/guest"
under = (root / args.under).resolve() if args.under else None

suite = unittest.TestSuite()
loader = unittest.TestLoader()
empty = []  # modules that hold no test: a broken module must not pass unseen
paths = sorted(p for p in (under or root / "test").rglob("test_*.py")
               if under or not p.is_relative_to(guest))
for path in paths:
    sys.path.insert(0, str(path.parent))
    # A module that fails to import becomes one test that errors (unittest's _FailedTest).
    tests = loader.loadTestsFromName(path.stem)
    sys.path.pop(0)
    if tests.countTestCases() == 0:
        empty.append(str(path.relative_to(root)))
    suite.addTests(tests)


class CountingResult(unittest.TextTestResult):
    """Counts the tests that passed, rather than deriving them from testsRun:
    an error in setUpClass or a module fixture is reported without a test run,
    and its class's tests never run at all. (A test with a failing subTest
    reports no success.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.succeeded = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.succeeded += 1


result = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult).run(suite)
for name in empty:
    print(f"no tests found in {name}: a test module must define at least one test", file=sys.stderr)
if not paths:
    print(f"no test_*.py found under {under or 'test/'}", file=sys.stderr)
# An expected failure is a test that does not pass: it counts as failed, not passed.
failed = (len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
          + len(result.expectedFailures) + len(empty) + (0 if paths else 1))
counts = {"passed": result.succeeded, "failed": failed, "skipped": len(result.skipped)}
pathlib.Path(args.json).write_text(json.dumps(counts))
sys.exit(1 if failed else 0)
