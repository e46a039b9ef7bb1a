"""console/probebook_console.py's redrawing of displays that a kernel updates
(update_display_data, which jupyter-console 6.4 drops), checked on the exact
bytes written to the terminal."""
import io
import pathlib
import sys
import unittest
from unittest import mock

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "console"))
import probebook_console  # noqa: E402


def message(kind, text=None, display_id=None):
    content = {}
    if text is not None:
        content["data"] = {"text/plain": text}
    if display_id is not None:
        content["transient"] = {"display_id": display_id}
    return {"header": {"msg_type": kind}, "content": content, "parent_header": {}}


class Redraw(unittest.TestCase):
    def setUp(self):
        # The shell's redrawing alone: no kernel, no prompt.
        self.shell = probebook_console.ProbebookShell.__new__(probebook_console.ProbebookShell)
        self.shell._live = None
        self.out = io.StringIO()
        patcher = mock.patch.object(sys, "stdout", self.out)
        patcher.start()
        self.addCleanup(patcher.stop)
        size = mock.patch.object(probebook_console.shutil, "get_terminal_size", return_value=mock.Mock(columns=40))
        size.start()
        self.addCleanup(size.stop)

    def follow(self, *messages):
        for m in messages:
            self.shell._follow(m)

    def test_an_update_of_the_last_display_is_drawn_over_it(self):
        self.follow(message("display_data", "collecting, 0.5 s", "p1"), message("update_display_data", "collecting, 1.5 s", "p1"))
        self.assertEqual(self.out.getvalue(), "\x1b[1A\r\x1b[Jcollecting, 1.5 s\n")

    def test_an_empty_update_erases_the_display(self):
        self.follow(message("display_data", "collecting", "p1"), message("update_display_data", "", "p1"), message("update_display_data", "", "p1"))
        self.assertEqual(self.out.getvalue(), "\x1b[1A\r\x1b[J")

    def test_rows_count_wrapped_lines_and_line_breaks(self):
        self.follow(message("display_data", "x" * 50 + "\nsecond", "p1"), message("update_display_data", "done", "p1"))
        self.assertEqual(self.out.getvalue(), "\x1b[3A\r\x1b[Jdone\n")

    def test_after_other_output_an_update_is_printed_anew_and_an_empty_one_not_at_all(self):
        self.follow(message("display_data", "collecting", "p1"), message("stream", "hello\n"), message("update_display_data", "", "p1"))
        self.assertEqual(self.out.getvalue(), "")
        self.follow(message("update_display_data", "stopped", "p1"))
        self.assertEqual(self.out.getvalue(), "stopped\n")

    def test_displays_without_an_id_are_left_alone(self):
        self.follow(message("display_data", "a table"), message("update_display_data", "", "p1"))
        self.assertEqual(self.out.getvalue(), "")


if __name__ == "__main__":
    unittest.main()
