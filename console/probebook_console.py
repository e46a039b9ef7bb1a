"""probebook in a terminal: Debian's jupyter-console (6.4) on the probebook
kernel, with two changes that a terminal needs (run by `probebook console`,
under /usr/bin/python3, which sees Debian's Jupyter packages):

- Images are never handed to a viewer. jupyter-console would give a plot's
  PNG to PIL, whose viewer is xdg-open or display: on a machine without a
  desktop that prints "not found" errors and shows nothing. Plots carry
  their own text rendering in text/plain (runtime/plot/text/), so the
  console prints that instead.
- Outputs that a kernel updates in place (update_display_data, which
  jupyter-console 6.4 drops) are redrawn where they were printed, when
  nothing was printed after them: a probe's progress line counts up while
  it runs and is erased when the result arrives, instead of staying at its
  first reading.

- Ctrl-C while a cell runs interrupts the kernel. jupyter-console relays
  SIGINT to the kernel with its own handler, but prompt_toolkit's prompt,
  when it returns, resets SIGINT to Python's default (asyncio's
  remove_signal_handler does), so with Debian's versions Ctrl-C only stopped
  waiting for the cell while the kernel ran on, busy, for the probe's whole
  duration. The handler is put back before each cell.
- The kernel is asked once whether a line is a complete cell before the
  first prompt, so that the first Enter doesn't wait for the TypeScript
  compiler to warm up; on a busy machine that took longer than the 1 s
  jupyter-console waits, after which it stopped asking and wanted an empty
  line after every cell. Later answers are quick; it waits up to 10 s.
- Closing the terminal (SIGHUP, as when an ssh session drops) or SIGTERM
  shuts the kernel down, as leaving with Ctrl-D does: jupyter-console would
  die and leave the kernel running, with whatever probe it was running.
- The kernel's own log (stderr) goes to a file, named in the banner, not
  into the middle of the screen.

Everything else (prompt, history, completion, Ctrl-C sending an interrupt
to the kernel) is jupyter-console's own. Extra arguments go to it.
"""

import os
import shutil
import signal
import sys
import time
from queue import Empty

from jupyter_client.consoleapp import JupyterConsoleApp
from jupyter_client.manager import KernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Type
from jupyter_console.app import ZMQTerminalIPythonApp
from jupyter_console.ptshell import ZMQTerminalInteractiveShell


def screen_rows(text):
    """Rows of the terminal that `text` took when print() wrote it."""
    columns = max(1, shutil.get_terminal_size().columns)
    return sum(max(1, -(-len(line) // columns)) for line in text.split("\n"))


class ProbebookShell(ZMQTerminalInteractiveShell):
    """The console's shell: text instead of images, display updates in place."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # No MIME type is an image to show: handle_rich_data() finds none and
        # the text/plain is printed, for execute results and displays alike.
        self.mime_preference = []
        self.image_handler = None
        self.kernel_is_complete_timeout = max(self.kernel_is_complete_timeout, 10.0)
        # (display_id, rows) of the last output printed, when it was a display
        # with an id and nothing was printed after it.
        self._live = None
        # The console's SIGINT handler (relays Ctrl-C to the kernel), set by the app.
        self.sigint_handler = None

    def init_kernel_info(self):
        super().init_kernel_info()
        if not self.use_kernel_is_complete:
            return
        msg_id = self.client.is_complete("1")
        deadline = time.monotonic() + self.kernel_timeout
        while time.monotonic() < deadline:
            try:
                reply = self.client.get_shell_msg(timeout=1)
            except Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return

    def run_cell(self, cell, store_history=True):
        if self.sigint_handler is not None:
            signal.signal(signal.SIGINT, self.sigint_handler)
        return super().run_cell(cell, store_history)

    def include_output(self, msg):
        """Called for every IOPub message before jupyter-console prints it:
        where updates are drawn, and where other output is noted."""
        included = super().include_output(msg)
        if included:
            self._follow(msg)
        return included

    def _follow(self, msg):
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "update_display_data":
            self._redraw(content)
        elif kind == "display_data":
            display_id = (content.get("transient") or {}).get("display_id")
            text = content.get("data", {}).get("text/plain")
            # jupyter-console prints it right after this.
            self._live = (display_id, screen_rows(text)) if display_id and text is not None else None
        elif kind in ("stream", "execute_result", "error", "clear_output"):
            self._live = None

    def _redraw(self, content):
        display_id = (content.get("transient") or {}).get("display_id")
        text = content.get("data", {}).get("text/plain", "")
        if self._live is not None and self._live[0] == display_id:
            rows = self._live[1]
            if rows > 0:
                # Up to the display's first row, and erase from there down.
                sys.stdout.write(f"\x1b[{rows}A\r\x1b[J")
            self._live = (display_id, 0)
        elif not text:
            return
        if text:
            print(text)
            self._live = (display_id, screen_rows(text))
        sys.stdout.flush()


def kernel_log_path():
    return os.path.join(jupyter_runtime_dir(), f"probebook-console-{os.getpid()}.log")


class LoggedKernelManager(KernelManager):
    """Starts the kernel with its stderr in kernel_log_path()."""

    def start_kernel(self, **kw):
        os.makedirs(jupyter_runtime_dir(), exist_ok=True)
        if "stderr" not in kw:
            kw["stderr"] = open(kernel_log_path(), "a", encoding="utf-8")
        return super().start_kernel(**kw)


class ProbebookConsoleApp(ZMQTerminalIPythonApp):
    name = "probebook-console"
    classes = [ProbebookShell] + ZMQTerminalIPythonApp.classes
    kernel_manager_class = Type(default_value=LoggedKernelManager, klass=KernelManager, config=True)

    def init_shell(self):
        # As ZMQTerminalIPythonApp.init_shell, with the probebook shell.
        JupyterConsoleApp.initialize(self)
        signal.signal(signal.SIGINT, self.handle_sigint)
        self.shell = ProbebookShell.instance(
            parent=self,
            manager=self.kernel_manager,
            client=self.kernel_client,
            confirm_exit=self.confirm_exit,
        )
        self.shell.own_kernel = not self.existing
        self.shell.sigint_handler = self.handle_sigint
        signal.signal(signal.SIGHUP, self.handle_hangup)
        signal.signal(signal.SIGTERM, self.handle_hangup)
        if self.shell.own_kernel:
            self.shell.banner += f"\n(the kernel's log: {kernel_log_path()})\n"

    def handle_hangup(self, signum, frame):
        if self.kernel_manager is not None:
            try:
                self.kernel_manager.shutdown_kernel(now=False)
            except Exception:  # the kernel may be gone already; we are leaving either way
                self.kernel_manager.kill_kernel()
        os._exit(128 + signum)


if __name__ == "__main__":
    ProbebookConsoleApp.launch_instance()
