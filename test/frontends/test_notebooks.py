"""Every notebook in notebooks/ runs top to bottom under nbclient (Debian's
python3-nbclient) with the installed probebook kernel, and none of its cells
produces an error output or stderr text. Run with Debian's interpreter:

    /usr/bin/python3 -m unittest discover -s test/frontends -p 'test_*.py'

The kernelspec is installed with `bin/probebook.js install --prefix` into a
temporary prefix found through JUPYTER_PATH, so the kernel starts exactly as
Jupyter starts it (from dist/: `npm run build` first; `npm test` does).
One test per notebook, named after the file; each is also converted to HTML
with nbconvert, where every plot must show as a picture.

PlotsInNbconvertHtml checks one plot closely: Debian's nbconvert 6.5 passes
image/svg+xml through lxml's clean_html, which empties it, so the kernel's
bundle carries a PNG (and the Vega-Lite spec for JupyterLab) instead; the
test decodes the PNG from the HTML and counts the bars' pixels."""

import base64
import html
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib
from pathlib import Path

import nbclient
import nbformat
from nbconvert import HTMLExporter

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


class InstalledKernelspec(unittest.TestCase):
    """Installs the probebook kernelspec into a temporary prefix on JUPYTER_PATH for the class's tests."""

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


class NotebookTests(InstalledKernelspec):
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
        # Every plot shows as a picture in nbconvert's HTML, not as an SVG it empties.
        plots = [o for c in code_cells for o in c.get("outputs", []) if VEGALITE_MIME in o.get("data", {})]
        page = html_pictures(nb)
        self.assertEqual(len(PNG_IMG.findall(page)), len(plots), f"{path.name}: nbconvert's HTML should show a PNG for each of its {len(plots)} plots")
        self.assertNotIn('data-mime-type="image/svg+xml"', page, f"{path.name}: a plot reached nbconvert as SVG, which its sanitiser empties")


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
        nbclient.NotebookClient(nb, kernel_name="probebook", timeout=CELL_TIMEOUT_S).execute()
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
