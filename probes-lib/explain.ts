// explain(probe): how the runtime runs a probe - the template and why, its
// .rodata configuration, attach points, maps and their memory, and (loaded
// through the verifier, never attached) each program's instruction counts.
// For learning and teaching as much as for debugging.

import type { ExplainData } from "../runtime/spec/explain-data.js";
import { probeHost } from "./host.js";
import { isProbe, type Probe } from "./probe.js";
import type { ProbeTable } from "./result-table.js";

/** Options of {@link explain}. */
export interface ExplainOptions {
  /**
   * Load the programs through the verifier (without attaching them) to report
   * instruction counts and verifier statistics (default true). False: the plan only.
   */
  load?: boolean;
  /**
   * Load it misconfigured on purpose, to see the verifier refuse a template
   * (never attached): `"field-past-the-end"` copies an events probe's first
   * field one byte past the end of its record. The explanation then shows the
   * verifier's log instead of its statistics.
   */
  misconfigure?: "field-past-the-end";
}

/**
 * Explains a probe before it runs (its plan, and by default the verifier's
 * statistics after loading it without attaching), or a result table after a
 * run (the plan that produced it, from `table.meta`).
 *
 * @example
 * ```ts
 * explain(syscall("read").latency().histogram())
 * explain(await tracepoint("sched:sched_switch").count().by("cpu").run({ for: "1s" }))
 * explain(tracepoint("syscalls:sys_enter_openat").fields("flags"), { misconfigure: "field-past-the-end" })
 * ```
 */
export async function explain(probe: Probe | ProbeTable, options: ExplainOptions = {}): Promise<Explanation> {
  if (isProbe(probe)) {
    const declaration = probe.toDeclaration();
    const misconfigure = options.misconfigure !== undefined ? { misconfigure: options.misconfigure } : {};
    return new Explanation(String(probe), await probeHost().explain(declaration, { load: options.load ?? true, ...misconfigure }));
  }
  const meta = (probe as Partial<ProbeTable> | null)?.meta;
  if (meta?.explain) return new Explanation("the run that made this table", meta.explain);
  throw new TypeError("explain(...) takes a probe (e.g. explain(syscall(\"read\").count())) or a table a probe returned; tables derived with arquero verbs no longer carry their run (use the original)");
}

/** What {@link explain} returns: the plain `data`, shown as text and Markdown. */
export class Explanation {
  /** What was explained: the probe's code. */
  readonly probe: string;
  readonly data: ExplainData;

  /** @internal made by {@link explain} */
  constructor(probe: string, data: ExplainData) {
    this.probe = probe;
    this.data = data;
  }

  /**
   * The explanation as plain text.
   *
   * @example
   * ```ts
   * console.log(String(await explain(syscall("read").count())))
   * ```
   */
  toString(): string {
    return explanationText(this.probe, this.data);
  }

  /** How the notebook shows it. */
  [Symbol.for("probebook.inspect")](): string {
    return this.toString();
  }

  /**
   * Jupyter display: text and Markdown (what the notebook shows for it).
   *
   * @example
   * ```ts
   * Object.keys((await explain(syscall("read").count()))._repr_mimebundle_())  // ["text/plain", "text/markdown"]
   * ```
   */
  _repr_mimebundle_(): Record<string, string> {
    return { "text/plain": this.toString(), "text/markdown": explanationMarkdown(this.probe, this.data) };
  }
}

function bytes(n: number | undefined): string {
  if (n === undefined) return "?";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${round(n / 1024)} KiB`;
  return `${round(n / 1024 / 1024)} MiB`;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function duration(ms: number): string {
  return ms >= 24 * 3600 * 1000 ? "until stopped" : ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function mapLine(m: ExplainData["maps"][number]): string {
  const size = m.type === "ringbuf" ? `${bytes(m.maxEntries)} ring` : `${m.maxEntries ?? "?"} entries, key ${m.keySize ?? "?"} B, value ${m.valueSize ?? "?"} B`;
  return `${m.name} (${m.type}): ${size} -> ${bytes(m.bytes)}${m.role ? ` - ${m.role}` : ""}`;
}

/** The last lines of a verifier log: where it stopped and why. */
export const VERIFIER_LOG_TAIL = 12;

function logTail(log: string): string[] {
  return log.trimEnd().split("\n").slice(-VERIFIER_LOG_TAIL);
}

function loadLines(d: ExplainData): string[] {
  if (!d.load) return ["not loaded (explain(probe, { load: true }) loads it through the verifier)"];
  if ("error" in d.load) {
    const first = d.load.error.split("\n")[0]!;
    return [`${d.load.verifierLog ? "the verifier refused it" : "loading failed"}: ${first}`, ...(d.load.verifierLog ? [`verifier log (last ${VERIFIER_LOG_TAIL} lines of ${d.load.verifierLog.trimEnd().split("\n").length}):`, ...logTail(d.load.verifierLog).map((l) => `  ${l}`)] : [])];
  }
  return [
    `loaded and verified in ${round(d.load.loadMs)} ms (not attached)`,
    ...d.load.programs.map((p) => `${p.name} (${p.type}): ${p.xlatedInsns} instructions, ${p.verifiedInsns} verified (all paths), ${p.jitedBytes} bytes JITed, ${p.mapCount} maps`),
  ];
}

/** The text form of an explanation. */
export function explanationText(probe: string, d: ExplainData): string {
  return [
    `${probe}`,
    `  ${d.describe}`,
    `template: ${d.template} (${d.object}), programs: ${d.programs.join(", ")}`,
    `why: ${d.why}`,
    `attach: ${d.attach.join("; ")}`,
    `duration: ${duration(d.durationMs)}`,
    `columns: ${d.columns.map((c) => `${c.name}:${c.type}`).join(", ")}`,
    `maps (${bytes(d.memoryBytes)} at most, ${d.cpus} CPUs):`,
    ...d.maps.map((m) => `  ${mapLine(m)}`),
    `rodata: ${JSON.stringify(d.rodata)}`,
    ...(d.misconfigured ? [`misconfigured on purpose: ${d.misconfigured}`] : []),
    ...loadLines(d),
  ].join("\n");
}

/** JSON on one line with spaces: `{ "a": 1, "b": [2, 3] }`. */
function flatJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flatJson).join(", ")}]`;
  if (value && typeof value === "object") {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flatJson(v)}`);
    return members.length ? `{ ${members.join(", ")} }` : "{}";
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * JSON that reads in a few lines rather than a hundred: a value that fits on
 * its line stays on one; plain members (numbers, strings, short values) are
 * packed several a line; anything else is indented by level. `prefix` is how
 * much of the line is taken before the value (its key).
 */
export function compactJson(value: unknown, indent = "", width = 88, prefix = 0): string {
  const flat = flatJson(value);
  if (value === null || typeof value !== "object" || indent.length + prefix + flat.length <= width) return flat;
  const inner = indent + "  ";
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  const members = Array.isArray(value)
    ? value.map((v) => ({ text: compactJson(v, inner, width), plain: typeof v !== "object" || v === null }))
    : Object.entries(value as Record<string, unknown>).map(([k, v]) => {
      const key = `${JSON.stringify(k)}: `;
      return { text: key + compactJson(v, inner, width, key.length), plain: v === null || typeof v !== "object" || flatJson(v).length <= 24 };
    });
  const lines: string[] = [];
  let packing = false;
  for (const m of members) {
    const last = lines.length - 1;
    if (packing && m.plain && inner.length + lines[last]!.length + m.text.length + 2 <= width) lines[last] += `, ${m.text}`;
    else lines.push(m.text);
    packing = m.plain;
  }
  return `${open}\n${lines.map((l) => inner + l).join(",\n")}\n${indent}${close}`;
}

function explanationMarkdown(probe: string, d: ExplainData): string {
  const rows = d.maps.map((m) => `| ${m.name} | ${m.type} | ${m.type === "ringbuf" ? "" : m.maxEntries ?? ""} | ${m.keySize ?? ""} | ${m.valueSize ?? ""} | ${bytes(m.bytes)} | ${m.role ?? ""} |`);
  const programs = d.load && "programs" in d.load
    ? ["| program | type | instructions | verified | JIT bytes |", "|---|---|---:|---:|---:|", ...d.load.programs.map((p) => `| ${p.name} | ${p.type} | ${p.xlatedInsns} | ${p.verifiedInsns} | ${p.jitedBytes} |`)].join("\n")
    : d.load && "error" in d.load
      ? `${d.load.verifierLog ? "Refused by the verifier" : "Loading failed"}: ${d.load.error.split("\n")[0]}` + (d.load.verifierLog ? `\n\nThe verifier's log, last ${VERIFIER_LOG_TAIL} lines of ${d.load.verifierLog.trimEnd().split("\n").length}:\n\n\`\`\`\n${logTail(d.load.verifierLog).join("\n")}\n\`\`\`` : "")
      : loadLines(d).join("\n");
  return [
    `**\`${probe}\`**: ${d.describe}`,
    `**Template** \`${d.template}\` (\`${d.object}\`), programs ${d.programs.map((p) => `\`${p}\``).join(", ")}. ${d.why}`,
    `**Attach**: ${d.attach.map((a) => `\`${a}\``).join(", ")} · **duration** ${duration(d.durationMs)}`,
    `**Columns**: ${d.columns.map((c) => `\`${c.name}\` ${c.type}`).join(", ")}`,
    `**Maps** (${bytes(d.memoryBytes)} at most on ${d.cpus} CPUs)\n\n| map | type | entries | key | value | memory | holds |\n|---|---|---:|---:|---:|---:|---|\n${rows.join("\n")}`,
    ...(d.misconfigured ? [`**Misconfigured on purpose**: ${d.misconfigured}`] : []),
    `**Verifier**\n\n${programs}`,
    `**.rodata**\n\n\`\`\`json\n${compactJson(d.rodata)}\n\`\`\``,
  ].join("\n\n");
}
