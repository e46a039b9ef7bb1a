// Tracepoints as the running kernel describes them in tracefs: the list of
// "category:event" names and each event's `format` file parsed into typed
// fields. tracefs is mounted at /sys/kernel/tracing by scripts/setup.sh; where
// it isn't (a fresh machine, a container, a mount namespace), the first reader
// mounts it, and failing that says exactly what to run.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const TRACEFS_ROOT = "/sys/kernel/tracing";

/** Mount points this process tried to mount tracefs on (once each). */
const mountTried = new Set<string>();

/**
 * Makes sure tracefs is mounted at `root`: mounts it if it isn't (root with
 * CAP_SYS_ADMIN may), else throws an error with the command to run.
 */
export function requireTracefs(root: string, log: (message: string) => void = (m) => process.stderr.write(`probebook: ${m}\n`)): void {
  if (existsSync(join(root, "events"))) return;
  let why = "";
  if (!mountTried.has(root)) {
    mountTried.add(root);
    try {
      execFileSync("mount", ["-t", "tracefs", "tracefs", root], { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
      if (existsSync(join(root, "events"))) {
        log(`tracefs was not mounted; mounted it at ${root}`);
        return;
      }
    } catch (error) {
      why = ` (mounting it failed: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim().split("\n")[0]})`;
    }
  }
  throw new Error(`tracefs is not mounted at ${root}${why}: run, as root, \`mount -t tracefs tracefs ${root}\` (scripts/setup.sh does it), then run the cell again`);
}

export interface TracepointField {
  name: string;
  /** The C type as the format file spells it, without the name: "const char *", "char[16]", "__data_loc char[]". */
  cType: string;
  /** The element/base type: "char" for "char prev_comm[16]", "const char" for "const char *". */
  baseType: string;
  /** Byte offset in the raw record. */
  offset: number;
  size: number;
  signed: boolean;
  /** A fixed-size array (char comm[16], unsigned long args[6]). */
  isArray: boolean;
  /** Element count of a fixed array when the format states it as a number. */
  arrayLength?: number;
  /** __data_loc: a u32 (length << 16 | offset from the record start) locating dynamic data. */
  isDataLoc: boolean;
  /** __rel_loc: like __data_loc, the offset counted from the end of this field. */
  isRelLoc: boolean;
  isPointer: boolean;
  /** A pointer to char: a string the event points at. Syscall arguments point into user memory. */
  stringPointer?: "user" | "kernel";
}

export interface TracepointFormat {
  category: string;
  event: string;
  /** The event id (perf_event_attr.config for PERF_TYPE_TRACEPOINT). */
  id: number;
  /** Fields after the common_* header, in record order. */
  fields: TracepointField[];
}

/** Where tracepoints are read from; tests pass a fake one. */
export interface TracefsSource {
  /** Every "category:event", sorted. */
  list(): string[];
  /** The text of category/event/format, or undefined when there is no such event. */
  format(category: string, event: string): string | undefined;
}

const FIELD_LINE = /^\s*field:(.*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

/** Parses one `field:` declaration ("const char * filename", "char comm[16]", "__data_loc char[] name"). */
export function parseFieldDeclaration(decl: string, category: string): Omit<TracepointField, "offset" | "size" | "signed"> {
  const d = decl.trim().replace(/\s+/g, " ");
  const loc = /^(__data_loc|__rel_loc) (.*?) ?\[\] ?([A-Za-z_]\w*)$/.exec(d);
  if (loc) {
    const [, which, base, name] = loc;
    return {
      name: name!, cType: `${which} ${base}[]`, baseType: base!, isArray: false,
      isDataLoc: which === "__data_loc", isRelLoc: which === "__rel_loc", isPointer: false,
    };
  }
  const arr = /^(.*?) ?([A-Za-z_]\w*) ?\[([^\]]*)\]$/.exec(d);
  if (arr) {
    const [, base, name, len] = arr;
    const n = /^\d+$/.test(len!.trim()) ? Number(len) : undefined;
    return {
      name: name!, cType: `${base}[${len}]`, baseType: base!, isArray: true,
      ...(n !== undefined ? { arrayLength: n } : {}), isDataLoc: false, isRelLoc: false, isPointer: false,
    };
  }
  const scalar = /^(.*?) ?([A-Za-z_]\w*)$/.exec(d);
  if (!scalar || !scalar[1]) throw new Error(`cannot parse tracepoint field declaration "${decl}"`);
  const cType = scalar[1].replace(/ ?\*/g, " *").trim();
  const isPointer = cType.endsWith("*");
  const baseType = isPointer ? cType.replace(/\s*\*$/, "").trim() : cType;
  const pointee = baseType.replace(/\b(const|volatile)\b/g, "").trim();
  const field: Omit<TracepointField, "offset" | "size" | "signed"> = {
    name: scalar[2]!, cType, baseType, isArray: false, isDataLoc: false, isRelLoc: false, isPointer,
  };
  // Only pointers to (plain/signed) char count as strings: the syscall layer
  // records user pointers, other subsystems kernel ones.
  if (isPointer && /^(signed )?char$/.test(pointee)) field.stringPointer = category === "syscalls" ? "user" : "kernel";
  return field;
}

/** Parses a tracepoint's `format` file. common_* fields are left out. */
export function parseFormat(text: string, category: string, event: string): TracepointFormat {
  const id = /^ID:\s*(\d+)/m.exec(text);
  const fields: TracepointField[] = [];
  for (const line of text.split("\n")) {
    const m = FIELD_LINE.exec(line);
    if (!m) continue;
    const f = parseFieldDeclaration(m[1]!, category);
    if (f.name.startsWith("common_")) continue;
    fields.push({ ...f, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === "1" });
  }
  if (!id && fields.length === 0) throw new Error(`${category}:${event}: the format file has no ID and no fields`);
  return { category, event, id: id ? Number(id[1]) : -1, fields };
}

/** The running kernel's tracepoints. */
export function kernelTracefs(root = TRACEFS_ROOT): TracefsSource {
  return {
    list() {
      const file = join(root, "available_events");
      if (existsSync(file)) {
        return readFileSync(file, "utf8").split("\n").filter((l) => l.includes(":")).sort();
      }
      const events = join(root, "events");
      requireTracefs(root);
      if (existsSync(file)) return readFileSync(file, "utf8").split("\n").filter((l) => l.includes(":")).sort();
      const out: string[] = [];
      for (const cat of readdirSync(events, { withFileTypes: true })) {
        if (!cat.isDirectory()) continue;
        for (const ev of readdirSync(join(events, cat.name), { withFileTypes: true }))
          if (ev.isDirectory()) out.push(`${cat.name}:${ev.name}`);
      }
      return out.sort();
    },
    format(category, event) {
      // Names come from user input: keep them to one path component.
      if (!/^[\w.-]+$/.test(category) || !/^[\w.-]+$/.test(event)) return undefined;
      const file = join(root, "events", category, event, "format");
      try {
        return readFileSync(file, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
          if (existsSync(join(root, "events"))) return undefined;
          requireTracefs(root);
          return existsSync(file) ? readFileSync(file, "utf8") : undefined;
        }
        throw e;
      }
    },
  };
}

/** The parsed format of "category:event", or undefined when there is no such tracepoint. */
export function readFormat(name: string, source: TracefsSource = kernelTracefs()): TracepointFormat | undefined {
  const i = name.indexOf(":");
  if (i <= 0) return undefined;
  const category = name.slice(0, i), event = name.slice(i + 1);
  const text = source.format(category, event);
  return text === undefined ? undefined : parseFormat(text, category, event);
}
