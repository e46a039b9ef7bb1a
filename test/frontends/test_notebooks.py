"""Every notebook in notebooks/ runs top to bottom under nbclient (Debian's
python3-nbclient) with the installed probebook kernel, through the runner of
`npm run notebooks` (scripts/notebooks.py), and:

- none of its cells produces an error output or stderr text;
- its first cell says what it shows, what it needs and how long it runs;
- the copy stored in the repository has its outputs (a reader on GitHub sees
  them without running anything), with no error in them;
- every plot shows as a picture in nbconvert's HTML;
- its key numbers hold, in the fresh run and in the stored copy: the checks of
  test/frontends/notebook_checks.py compare what probebook saw with what the
  notebook's workload counted, exactly where the workload gives a count.

Each notebook is one test class: it runs once (setUpClass), and each property
above is one test. Run with Debian's interpreter:

    /usr/bin/python3 -m unittest discover -s test/frontends -p 'test_*.py'

PlotsInNbconvertHtml checks one plot closely: Debian's nbconvert 6.5 passes
image/svg+xml through lxml's clean_html, which empties it, so the kernel's
bundle carries a PNG (and the Vega-Lite spec for JupyterLab) instead; the
test decodes the PNG from the HTML and counts the bars' pixels."""

import base64
import html
import re
import struct
import sys
import unittest
import zlib
from pathlib import Path

import nbclient
import nbformat
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import notebooks as runner  # noqa: E402  (scripts/notebooks.py: `npm run notebooks`)
from notebook_checks import CHECKS  # noqa: E402

NOTEBOOKS = runner.notebooks()
# What the first cell of every notebook says, each as an item of a list.
HEADER_LINES = ("**Shows:**", "**Needs:**", "**Runs in:**")

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
# What JupyterLab ranks before its Vega renderer (rank 57): in a plot's bundle
# these would hide the interactive plot.
OUTRANKS_VEGA_IN_LAB = ("text/html", "application/javascript")
# vega's default mark colour.
VEGA_BLUE = (0x4C, 0x78, 0xA8)
PNG_IMG = re.compile(r'<img src="data:image/png;base64,([^"]+)"')


def decode_png(data: bytes) -> tuple[int, int, list[bytearray]]:
    """(width, height, rows of RGBA bytes) of an 8-bit RGB/RGBA, non-interlaced
    PNG: what rsvg-convert writes. No PIL on Debian's interpreter here."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("not a PNG: the signature is wrong")
    at, idat = 8, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunk = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            if depth != 8 or interlace != 0 or colour not in (2, 6):
                raise AssertionError(f"PNG with depth {depth}, colour type {colour}, interlace {interlace}: only 8-bit RGB/RGBA is read")
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += chunk
        at += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(line)
        previous = line
    if channels == 3:
        rows = [bytearray(b"".join(bytes(r[i:i + 3]) + b"\xff" for i in range(0, len(r), 3))) for r in rows]
    return width, height, rows


def count_colour(rows: list[bytearray], rgb: tuple[int, int, int]) -> int:
    pixel = bytes(rgb) + b"\xff"
    return sum(sum(1 for i in range(0, len(row), 4) if row[i:i + 4] == pixel) for row in rows)



def html_pictures(nb) -> str:
    """The notebook as nbconvert's HTML page (lab template, the default)."""
    body, _ = HTMLExporter().from_notebook_node(nb)
    return body


class InstalledKernelspec(unittest.TestCase):
    """The probebook kernelspec in a temporary prefix on JUPYTER_PATH for the class's tests."""

    @classmethod
    def setUpClass(cls):
        cls._kernelspec = runner.installed_kernelspec()
        cls._kernelspec.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._kernelspec.__exit__(None, None, None)


class NotebookCase(InstalledKernelspec):
    """One notebook: executed once, then each property is a test. Subclassed per notebook below."""

    path: Path

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stored = nbformat.read(cls.path, as_version=4)
        cls.ran, seconds = runner.execute(cls.path)
        print(f"{cls.path.name}: executed in {seconds:.1f} s", file=sys.stderr)

    def test_runs_with_no_error_output(self):
        found = runner.problems(self.ran)
        self.assertEqual(found, [], f"{self.path.name} produced error output:\n" + "\n".join(found))

    def test_says_what_it_shows_needs_and_how_long_it_runs(self):
        first = self.stored.cells[0]
        self.assertEqual(first.cell_type, "markdown", f"{self.path.name}: the first cell should be Markdown")
        lines = [line.strip().removeprefix("- ") for line in first.source.splitlines()]
        for label in HEADER_LINES:
            self.assertTrue(any(line.startswith(label) for line in lines), f"{self.path.name}: the first cell has no line starting {label}")

    def test_is_stored_with_its_outputs(self):
        found = runner.problems(self.stored)
        self.assertEqual(found, [], f"{self.path.name} as stored: run `npm run notebooks` to store its outputs:\n" + "\n".join(found))
        self.assertTrue(any(c.outputs for c in runner.code_cells(self.stored)), f"{self.path.name} is stored without outputs")

    def test_every_plot_shows_as_a_png_in_nbconvert_html(self):
        for label, nb in (("run", self.ran), ("stored", self.stored)):
            plots = [o for c in runner.code_cells(nb) for o in c.get("outputs", []) if VEGALITE_MIME in o.get("data", {})]
            page = html_pictures(nb)
            self.assertEqual(len(PNG_IMG.findall(page)), len(plots), f"{self.path.name} ({label}): nbconvert's HTML should show a PNG for each of its {len(plots)} plots")
            self.assertNotIn('data-mime-type="image/svg+xml"', page, f"{self.path.name} ({label}): a plot reached nbconvert as SVG, which its sanitiser empties")


def _check_test(check):
    def test(self):
        for label, nb in (("run", self.ran), ("stored", self.stored)):
            with self.subTest(copy=label):
                check(nb)
    test.__doc__ = check.__doc__
    return test


def _name(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)


class EveryNotebookHasChecks(unittest.TestCase):
    def test_there_are_notebooks(self):
        self.assertTrue(NOTEBOOKS, "no notebooks found in notebooks/")

    def test_every_notebook_has_key_number_checks_and_every_check_a_notebook(self):
        stems = {p.stem for p in NOTEBOOKS}
        self.assertEqual(sorted(stems - set(CHECKS)), [], "notebooks without checks in test/frontends/notebook_checks.py")
        self.assertEqual(sorted(set(CHECKS) - stems), [], "checks for notebooks that do not exist")


for _path in NOTEBOOKS:
    _methods = {"path": _path}
    for _check in CHECKS.get(_path.stem, []):
        _methods["test_" + _name(_check.__name__)] = _check_test(_check)
    _cls = type("Notebook_" + _name(_path.stem), (NotebookCase,), _methods)
    _cls.__doc__ = f"notebooks/{_path.name}"
    globals()[_cls.__name__] = _cls
del NotebookCase, _cls  # the base runs no notebook of its own, and each class is loaded once (by its name)


class PlotsInNbconvertHtml(InstalledKernelspec):
    """A bar chart made in a real kernel, saved, and converted to HTML by
    Debian's nbconvert: the page shows the picture (a PNG the kernel drew from
    vega's SVG) and JupyterLab still gets the Vega-Lite spec."""

    CELL = 'const t = aq.table({ comm: ["nginx", "postgres", "cat"], count: [30, 12, 5] });\nplot.bar(t, { x: "comm", y: "count" })'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "probebook", "display_name": "probebook", "language": "typescript"}})
        nb.cells = [nbformat.v4.new_code_cell(cls.CELL)]
        nbclient.NotebookClient(nb, kernel_name="probebook", timeout=runner.CELL_TIMEOUT_S).execute()
        # Saved and read back, as a viewer gets it.
        cls.nb = nbformat.reads(nbformat.writes(nb), as_version=4)

    def test_bundle_has_the_spec_for_jupyterlab_and_a_png_for_everything_else(self):
        outputs = self.nb.cells[0].outputs
        self.assertEqual([o.output_type for o in outputs], ["execute_result"])
        data = outputs[0].data
        self.assertEqual(sorted(data), [VEGALITE_MIME, "image/png", "text/plain"])
        self.assertFalse(set(OUTRANKS_VEGA_IN_LAB) & set(data))
        self.assertEqual(data[VEGALITE_MIME]["mark"]["type"], "bar")
        # The plot as text, for terminals and text viewers: the summary, then one '@' bar per category.
        lines = data["text/plain"].split("\n")
        self.assertEqual(lines[0], "bar chart of count by comm: 3 bars, largest nginx (30)")
        self.assertEqual([line.split(" |")[0].split() for line in lines[1:]], [["nginx", "30"], ["postgres", "12"], ["cat", "5"]])
        largest = lines[1].split("|")[1]
        self.assertEqual(largest, "@" * len(largest))

    def test_nbconvert_html_shows_the_bars(self):
        for template in ("lab", "classic"):
            with self.subTest(template=template):
                body, _ = HTMLExporter(template_name=template).from_notebook_node(self.nb)
                pictures = PNG_IMG.findall(body)
                self.assertEqual(len(pictures), 1, f"{template}: expected one <img> with a PNG data URL for the plot")
                png = base64.b64decode(html.unescape(pictures[0]))
                width, height, rows = decode_png(png)
                # vega lays out 3 bars of 60 px (plus axes) at 248 x 307 px.
                self.assertEqual((width, height), (248, 307))
                # The bars are 60 x 260, 60 x 104 and 60 x 43.3 px of vega's blue; anti-aliased edges take a little.
                blue = count_colour(rows, VEGA_BLUE)
                self.assertGreater(blue, 0.95 * 24440)
                self.assertLessEqual(blue, 24440)


if __name__ == "__main__":
    unittest.main()
