"""The key numbers of each notebook in notebooks/, checked by
test_notebooks.py on a fresh run and on the stored copy. A check finds its
cell by a tag in the cell's metadata (`"tags": ["opens"]`), reads what the
cell showed (its text/plain result, its printed lines, its Markdown) and
compares what probebook saw with what the notebook's workload counted: exactly
where the workload gives a count.

CHECKS maps a notebook's name (without .ipynb) to its checks; every notebook
must have at least one, and test_notebooks.py fails for a notebook without."""

import json
import re

VEGALITE_MIME = "application/vnd.vegalite.v5+json"


def tagged(nb, tag: str):
    cells = [c for c in nb.cells if c.cell_type == "code" and tag in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise AssertionError(f"expected one code cell tagged {tag!r}, found {len(cells)}")
    return cells[0]


def shown(nb, tag: str) -> str:
    """Everything the tagged cell showed as text: printed lines, then its results' text (Markdown where there is some)."""
    parts = []
    for out in tagged(nb, tag).get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            data = out.get("data", {})
            parts.append(data.get("text/markdown") or data.get("text/plain", ""))
    return "\n".join(parts)


def plots(nb, tag: str) -> list[dict]:
    """The Vega-Lite specs the tagged cell showed."""
    return [o.data[VEGALITE_MIME] for o in tagged(nb, tag).get("outputs", []) if VEGALITE_MIME in o.get("data", {})]


def plot_text(nb, tag: str) -> str:
    """The text/plain form of the tagged cell's plot (its summary line first)."""
    outs = [o for o in tagged(nb, tag).get("outputs", []) if VEGALITE_MIME in o.get("data", {})]
    if len(outs) != 1:
        raise AssertionError(f"cell {tag!r}: expected one plot, found {len(outs)}")
    return outs[0].data["text/plain"]


def number(text: str, pattern: str) -> int:
    """The integer the first group of `pattern` matched in `text` (commas allowed)."""
    m = re.search(pattern, text)
    if not m:
        raise AssertionError(f"{pattern!r} not found in:\n{text[:2000]}")
    return int(m.group(1).replace(",", ""))


def table_rows(text: str) -> list[list[str]]:
    """The rows of a table as the kernel shows it in text/plain (header, dashes, rows, caption):
    the cells of each row split on runs of two or more spaces."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if re.fullmatch(r"[- ]+", line) and "-" in line)
    rows = []
    for line in lines[at + 1:]:
        if not line.strip() or re.match(r"^\d+ rows? × ", line) or "…" == line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def table_header(text: str) -> list[str]:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if re.fullmatch(r"[- ]+", line) and "-" in line)
    return re.split(r"\s{2,}", lines[at - 1].strip())


def column(text: str, name: str) -> list[str]:
    header = table_header(text)
    i = header.index(name)
    return [row[i] for row in table_rows(text)]


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


# --- 01-quickstart -----------------------------------------------------------

def quickstart_table_has_exactly_the_rows_asked_with_their_columns(nb):
    """The events table stops at its limit, 200 switches, with the common columns and the fields asked."""
    text = shown(nb, "events")
    header = table_header(text)
    for name in ("time_ns", "time", "cpu", "pid", "comm", "prev_comm", "prev_pid", "next_comm", "next_pid"):
        expect(name in header, f"events table lacks {name}: {header}")
    expect(re.search(r"^200 rows × 13 columns ", text, re.M), text[-300:])


def quickstart_plots_have_titles_and_units(nb):
    """The bar chart and the histogram have their titles; the histogram counted reads, on a log2 time axis."""
    [bar] = plots(nb, "counts")
    [hist] = plots(nb, "latency")
    expect(bar.get("title") == "system calls by process in 2 s", f"bar title: {bar.get('title')}")
    expect(hist.get("title") == "read(2) latency, all processes, 2 s", f"histogram title: {hist.get('title')}")
    # This kernel's own reader reads while the probe runs, so there is always something to count.
    expect(number(plot_text(nb, "latency"), r"log2 histogram of latency: ([\d,]+) counted") > 0, plot_text(nb, "latency")[:300])
    expect("1us = 1024ns" in json.dumps(hist), "the histogram's axis does not say its log2 unit")


# --- 02-files -------------------------------------------------------------------

def files_sees_exactly_the_workloads_opens_and_enoent_failures(nb):
    """1,000 opens seen of the 1,000 made, 1,000 returns, 100 ENOENT of the 100 the workload counted, nothing dropped."""
    text = shown(nb, "proof")
    expect(number(text, r"probebook saw (\d+) of the") == 1000 and number(text, r"of the (\d+) opens this workload made") == 1000, text)
    expect(number(text, r"and (\d+) of their returns") == 1000, text)
    expect(number(text, r"(\d+) of its \d+ ENOENT") == 100 and number(text, r"of its (\d+) ENOENT") == 100, text)
    expect(number(text, r"dropped: (\d+)") == 0, text)


def files_tables_count_the_files_and_name_the_errno(nb):
    """The top files are the workload's two paths (900 and 100 opens); the failures are 100 of ret -2, ENOENT; opensnoop has its columns."""
    expect(column(shown(nb, "files"), "count") == ["900", "100"], shown(nb, "files"))
    expect(table_rows(shown(nb, "failures")) == [["-2", "ENOENT", "100"]], shown(nb, "failures"))
    expect(table_header(shown(nb, "opensnoop")) == ["time", "pid", "comm", "fd", "err", "path"], shown(nb, "opensnoop"))
    expect(re.search(r"^1000 rows × 6 columns", shown(nb, "opensnoop"), re.M), shown(nb, "opensnoop")[-200:])


# --- 10-lesson-verifier-and-jit ------------------------------------------------

def verifier_explains_the_templates_programs(nb):
    """explain() names the template and reports the verifier's statistics."""
    text = shown(nb, "explain")
    expect("**Template** `agg_tp`" in text, text[:400])
    expect(re.search(r"\| pb_agg_tp \| tracepoint \| \d+ \| \d+ \| \d+ \|", text), "no verifier statistics row for pb_agg_tp")


def verifier_statistics_of_every_program(nb):
    """One row per program of six probes (eight programs), each with instructions, verified instructions and JIT bytes."""
    text = shown(nb, "programs")
    programs = column(text, "program")
    expect(programs == ["pb_tp_events", "pb_agg_tp", "pb_lat_start", "pb_lat_end", "pb_agg_uprobe", "pb_profile",
                        "pb_tcp_state_btf", "pb_tcp_retransmit"], f"programs: {programs}")
    for name in ("instructions", "verified", "jit_bytes"):
        values = [int(v) for v in column(text, name)]
        expect(all(v > 0 for v in values), f"{name}: {values}")
        expect(all(v < 1_000_000 for v in values), f"{name} over the verifier's limit: {values}")


def verifier_refuses_the_misconfigured_template(nb):
    """The deliberately misconfigured template is refused, and its log's last lines say why."""
    text = shown(nb, "rejected")
    expect("Refused by the verifier" in text and "EACCES" in text, text[:2000])
    expect("invalid access to memory, mem_size=64 off=64 size=4" in text, "the log's verdict is missing")
    why = shown(nb, "why")
    expect(number(why, r"^(\d+) lines; the verdict") > 12, why)
    expect("invalid access to memory" in why and re.search(r"processed \d+ insns", why), why)


def verifier_runtime_refusals_say_what_to_do(nb):
    """The runtime's own refusals come before the verifier, with what to do instead."""
    text = shown(nb, "refusals")
    expect("string fields can't be filtered in the kernel, filter the table instead" in text, text)
    expect(re.search(r"UNKNOWN_FIELD: .*has no field \"path\". Its fields: .*filename", text), text)


# --- 11-lesson-maps-and-ring-buffers ---------------------------------------------

def maps_per_cpu_slots_sum_to_the_workloads_calls(nb):
    """The per-CPU slots sum to the count, which is exactly the workload's 200,000 calls."""
    text = shown(nb, "percpu")
    m = re.search(r"per CPU: ([\d + ]+) = (\d+); count (\d+); the workload made (\d+)", text)
    expect(m is not None, text)
    slots = [int(v) for v in m.group(1).split(" + ")]
    expect(sum(slots) == int(m.group(2)) == int(m.group(3)) == int(m.group(4)) == 200000, text)


def maps_small_ring_drops_and_counts_every_drop(nb):
    """A one-page ring drops most events; rows + drops are exactly the workload's 200,000 calls."""
    text = shown(nb, "ring")
    m = re.search(r"rows (\d+) \+ dropped (\d+) = (\d+); the workload made (\d+)", text)
    expect(m is not None, text)
    rows, dropped, total, made = (int(g) for g in m.groups())
    expect(rows + dropped == total == made == 200000 and dropped > 0, text)


def maps_kernel_count_moves_one_row_where_the_stream_moves_every_event(nb):
    """Counting moves 1 row to user space, streaming all 200,000; both programs ran at least once per call, with a time per run."""
    text = shown(nb, "compare")
    expect(column(text, "calls") == ["200000", "200000"], text)
    expect(column(text, "moved_to_user_space") == ["1", "200000"], text)
    expect(column(text, "dropped") == ["0", "0"], text)
    expect(all(int(v) >= 200000 for v in column(text, "bpf_runs")), text)
    expect(all(int(v) > 0 for v in column(text, "ns_per_run")), text)


CHECKS = {
    "01-quickstart": [quickstart_table_has_exactly_the_rows_asked_with_their_columns, quickstart_plots_have_titles_and_units],
    "02-files": [files_sees_exactly_the_workloads_opens_and_enoent_failures, files_tables_count_the_files_and_name_the_errno],
    "11-lesson-maps-and-ring-buffers": [maps_per_cpu_slots_sum_to_the_workloads_calls, maps_small_ring_drops_and_counts_every_drop,
                                        maps_kernel_count_moves_one_row_where_the_stream_moves_every_event],
    "10-lesson-verifier-and-jit": [verifier_explains_the_templates_programs, verifier_statistics_of_every_program,
                                   verifier_refuses_the_misconfigured_template, verifier_runtime_refusals_say_what_to_do],
}
