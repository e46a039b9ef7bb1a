"""A front end's restart of a kernel running probes, with Jupyter's own client
(Debian's jupyter_client: KernelManager, as the notebook server uses it):

1. a background aggregation and a foreground event stream run;
2. the kernel process is killed with SIGKILL while both are attached;
3. every BPF program, map and link it held (read from its /proc/PID/fdinfo
   just before) is freed by the kernel: links are fds, nothing is pinned;
4. the front end sees the kernel dead and restarts it (restart_kernel, as
   Kernel > Restart does), on the same connection file;
5. the new kernel is clean: no background runs, no old variables, and probes
   attach again.

Run with Debian's interpreter (test/run_python_tests.py does):
    /usr/bin/python3 -m unittest discover -s test/faults -p 'test_restart.py' -v
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from jupyter_client.manager import KernelManager

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "test/kernel"))
import test_conformance as conformance  # noqa: E402  (its kernelspec installer; a module, so its tests aren't collected here)

sys.path.pop(0)


def held_bpf(pid):
    """Ids of the programs, maps and links that process `pid` holds (its fdinfo)."""
    held = {"prog": set(), "map": set(), "link": set()}
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        fds = os.listdir(fd_dir)
    except FileNotFoundError:
        return held
    for fd in fds:
        try:
            target = os.readlink(fd_dir / fd)
            info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
        except OSError:
            continue
        for kind, anon, key in (("prog", "anon_inode:bpf-prog", "prog_id"), ("map", "anon_inode:bpf-map", "map_id"),
                                ("link", "anon_inode:bpf_link", "link_id")):
            m = re.search(rf"^{key}:\s*(\d+)", info, re.M)
            if target == anon and m:
                held[kind].add(int(m.group(1)))
        m = re.search(r"^prog_id:\s*(\d+)", info, re.M)
        if target == "anon_inode:bpf_link" and m:
            held["prog"].add(int(m.group(1)))  # an attached link keeps its program
    return held


def still_loaded(held):
    """What of `held` the kernel still has, as "prog 812" lines (bpftool)."""
    out = []
    for kind, ids in held.items():
        if not ids:
            continue
        listed = json.loads(subprocess.run(["bpftool", kind, "show", "-j"], check=True, capture_output=True, text=True).stdout or "[]")
        out += [f"{kind} {x['id']}" for x in listed if x["id"] in ids]
    return sorted(out)


class RestartWithProbesRunning(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = Path(tempfile.mkdtemp(prefix="probebook-restart-"))
        conformance.install_kernelspec(cls.prefix)
        cls.old_path = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = str(cls.prefix / "share/jupyter")

    @classmethod
    def tearDownClass(cls):
        if cls.old_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = cls.old_path
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def result(self, kc, code, timeout=60):
        """The text/plain of the cell's execute_result; fails on an error reply."""
        texts = []

        def hook(msg):
            if msg["msg_type"] == "execute_result":
                texts.append(msg["content"]["data"]["text/plain"])

        reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        return texts[0] if texts else None

    def test_sigkill_restart_with_foreground_and_background_probes_frees_everything_and_gives_a_clean_kernel(self):
        km = KernelManager(kernel_name="probebook")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            self.assertEqual(self.result(kc, 'globalThis.bg = tracepoint("sched:sched_switch").count().by("cpu").start({ name: "bg" });'
                                             ' await bg.started; (await runs()).length'), "1")
            old_pid = km.provisioner.pid
            # The foreground stream: sent, not awaited; attached when its programs and links show.
            kc.execute('await tracepoint("syscalls:sys_enter_openat").events({ for: "60s" })')
            deadline = time.monotonic() + 30
            held = held_bpf(old_pid)
            while (len(held["prog"]) < 2 or len(held["link"]) < 2) and time.monotonic() < deadline:
                time.sleep(0.1)
                held = held_bpf(old_pid)
            self.assertGreaterEqual(len(held["prog"]), 2, held)
            self.assertGreaterEqual(len(held["link"]), 2, held)
            self.assertGreaterEqual(len(held["map"]), 2, held)

            held = held_bpf(old_pid)  # everything, just before the kill
            os.kill(old_pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(km.is_alive())
            self.assertEqual(km.provisioner.process.returncode, -signal.SIGKILL)
            left = still_loaded(held)
            deadline = time.monotonic() + 10
            while left and time.monotonic() < deadline:
                time.sleep(0.1)
                left = still_loaded(held)
            self.assertEqual(left, [])

            km.restart_kernel(now=True)
            self.assertNotEqual(km.provisioner.pid, old_pid)

            kc.wait_for_ready(timeout=60)
            self.assertEqual(self.result(kc, "(await runs()).length"), "0")
            self.assertEqual(self.result(kc, "typeof bg"), "'undefined'")
            self.assertEqual(self.result(kc, '(await tracepoint("sched:sched_switch").limit(3).events({ for: "5s" })).numRows()'), "3")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    unittest.main()
