// The bench's output: one row per figure, written as bench/results/results.json
// ({ rows: [...] } plus the run's settings) and results.md (the table).

/**
 * @typedef {object} Row
 * @property {string} name     what was measured
 * @property {number|null} value  probebook's figure (null: not measured, see note)
 * @property {string} unit
 * @property {number|null} floor  the hand-written libbpf floor in the same run
 * @property {number|null} peer   bpftrace (or tslab) in the same run
 * @property {string} target   in words
 * @property {boolean} meetsTarget
 * @property {string} [note]
 */

const fmt = (v, unit) => {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
};

export function markdownTable(rows) {
  const lines = [
    "| figure | probebook | floor (libbpf) | peer | target | met |",
    "|---|---:|---:|---:|---|:-:|",
  ];
  for (const r of rows) {
    const why = r.note?.replace(/^not measured:?\s*/, "");
    const value = r.value === null ? `not measured${why ? ` (${why})` : ""}` : fmt(r.value, r.unit);
    lines.push(`| ${r.name} | ${value} | ${fmt(r.floor, r.unit)} | ${fmt(r.peer, r.unit)} | ${r.target} | ${r.meetsTarget ? "yes" : "**no**"} |`);
  }
  return lines.join("\n");
}

export function notesList(rows) {
  return rows.filter((r) => r.note && r.value !== null).map((r) => `- ${r.name}: ${r.note}`).join("\n");
}

/** Plain numbers rounded for the JSON (NaN becomes null). */
export const num = (v, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(digits)));
