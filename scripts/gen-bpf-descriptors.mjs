#!/usr/bin/env node
// Generates bpf/generated/<template>.ts from each compiled template object:
// the rodata variables (offsets from the ELF symbol table, types from BTF),
// the structs and enums the template's header declares, the maps and the
// programs. The C header stays the one description (contract 2); this file
// only transcribes what the compiler made of it.
//
//   node scripts/gen-bpf-descriptors.mjs            write bpf/generated/*.ts
//   node scripts/gen-bpf-descriptors.mjs --check    exit 1 when a file is stale
//   --dir DIR                                       read/write DIR instead of bpf/generated
//
// Also importable: generateDescriptor(objectPath, template) -> source text.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// enum bpf_map_type values (include/uapi/linux/bpf.h) -> libbpf's names.
const MAP_TYPES = {
  1: "hash", 2: "array", 3: "prog_array", 4: "perf_event_array", 5: "percpu_hash",
  6: "percpu_array", 7: "stack_trace", 9: "lru_hash", 10: "lru_percpu_hash",
  12: "array_of_maps", 13: "hash_of_maps", 27: "ringbuf", 29: "task_storage",
};

/** Section headers and symbols of an ELF64 little-endian relocatable object. */
function readElf(path) {
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1)
    throw new Error(`${path}: not a 64-bit little-endian ELF object`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c), shstrndx = b.readUInt16LE(0x3e);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      nameOff: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), flags: Number(b.readBigUInt64LE(o + 8)),
      offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)),
      link: b.readUInt32LE(o + 0x28), entsize: Number(b.readBigUInt64LE(o + 0x38)),
    });
  }
  const cstr = (sec, off) => { const s = sections[sec].offset + off; return b.toString("latin1", s, b.indexOf(0, s)); };
  for (const s of sections) s.name = cstr(shstrndx, s.nameOff);
  const symtab = sections.find((s) => s.type === 2 /* SHT_SYMTAB */);
  const symbols = [];
  for (let o = symtab.offset; o < symtab.offset + symtab.size; o += 24) {
    const info = b[o + 4], shndx = b.readUInt16LE(o + 6);
    symbols.push({
      name: cstr(symtab.link, b.readUInt32LE(o)), bind: info >> 4, type: info & 15,
      section: shndx < sections.length ? sections[shndx].name : "", value: Number(b.readBigUInt64LE(o + 8)),
      size: Number(b.readBigUInt64LE(o + 16)),
    });
  }
  return { sections, symbols };
}

function btfTypes(path) {
  const out = execFileSync("bpftool", ["btf", "dump", "file", path, "-j"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const byId = new Map();
  for (const t of JSON.parse(out).types) byId.set(t.id, t);
  return byId;
}

function describe(objectPath, template) {
  const elf = readElf(objectPath);
  const btf = btfTypes(objectPath);
  const structs = {}, enums = {};
  const qualifiers = new Set(["TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"]);
  const strip = (id) => { let t = btf.get(id); while (t && qualifiers.has(t.kind)) t = btf.get(t.type_id); return t; };
  const sizeOf = (id) => {
    const t = strip(id);
    if (!t) return 0;
    if (t.kind === "ARRAY") return t.nr_elems * sizeOf(t.type_id);
    if (t.kind === "PTR") return 8;
    return t.size ?? 0;
  };
  // A member/variable type as plain data; named structs and enums are collected.
  const typeOf = (id) => {
    const t = strip(id);
    switch (t?.kind) {
      case "INT":
        if (t.encoding === "BOOL") return { kind: "int", size: t.size, signed: false };
        if (t.name === "char" && t.size === 1) return { kind: "char" };
        return { kind: "int", size: t.size, signed: t.encoding === "SIGNED" };
      case "ENUM":
      case "ENUM64":
        if (!(t.name in enums)) enums[t.name] = Object.fromEntries(t.values.map((v) => [v.name, Number(v.val)]));
        return { kind: "enum", name: t.name, size: t.size, signed: t.encoding === "SIGNED" };
      case "ARRAY":
        return { kind: "array", of: typeOf(t.type_id), count: t.nr_elems };
      case "PTR":
        return { kind: "pointer" };
      case "STRUCT":
        if (!t.name || t.name === "(anon)") throw new Error(`${objectPath}: anonymous struct in a described type`);
        if (!(t.name in structs)) {
          structs[t.name] = null; // placeholder against recursion
          const members = t.members.map((m) => {
            if (m.bitfield_size) throw new Error(`${objectPath}: bitfield ${t.name}.${m.name} is not supported`);
            return { name: m.name, offset: m.bits_offset / 8, size: sizeOf(m.type_id), type: typeOf(m.type_id) };
          });
          structs[t.name] = { size: t.size, members };
        }
        return { kind: "struct", name: t.name };
      default:
        throw new Error(`${objectPath}: cannot describe BTF type ${t?.kind} ${t?.name}`);
    }
  };
  const varOf = (id) => btf.get(id);
  const datasecs = [...btf.values()].filter((t) => t.kind === "DATASEC");

  // Data sections (.rodata, .data, .bss): variable offsets come from the symbol table
  // (clang leaves them 0 in BTF; libbpf fills them in the same way at open time).
  const sections = {};
  for (const ds of datasecs) {
    // .kconfig/.ksyms hold externs libbpf fills at load (usdt.bpf.h's LINUX_HAS_BPF_COOKIE): not ours to write.
    if (ds.name === ".maps" || ds.name === "license" || ds.name === ".kconfig" || ds.name === ".ksyms") continue;
    const sec = elf.sections.find((s) => s.name === ds.name);
    const vars = ds.vars.map((v) => {
      const vt = varOf(v.type_id);
      const sym = elf.symbols.find((s) => s.name === vt.name && s.section === ds.name);
      if (!sym) throw new Error(`${objectPath}: no symbol for ${ds.name} variable ${vt.name}`);
      return { name: vt.name, offset: sym.value, size: sizeOf(vt.type_id), type: typeOf(vt.type_id) };
    }).sort((a, b) => a.offset - b.offset || a.name.localeCompare(b.name));
    sections[ds.name] = { size: sec ? sec.size : 0, vars };
  }

  // BTF-defined maps: __uint(x, N) is a pointer to int[N]; __type(x, T) is a pointer to T.
  const maps = {};
  const mapsSec = datasecs.find((d) => d.name === ".maps");
  for (const v of mapsSec?.vars ?? []) {
    const vt = varOf(v.type_id);
    const def = strip(vt.type_id);
    const m = {};
    for (const mem of def.members) {
      const ptr = strip(mem.type_id);
      const target = strip(ptr.type_id);
      if (mem.name === "type") m.type = MAP_TYPES[target.nr_elems] ?? `type ${target.nr_elems}`;
      else if (mem.name === "max_entries") m.maxEntries = target.nr_elems;
      else if (mem.name === "key") m.keySize = sizeOf(ptr.type_id);
      else if (mem.name === "value") m.valueSize = sizeOf(ptr.type_id);
    }
    maps[vt.name] = m;
  }

  // Programs: global functions placed in a program section.
  const programs = elf.symbols
    .filter((s) => s.type === 2 /* STT_FUNC */ && s.bind === 1 /* GLOBAL */ && s.section && !s.section.startsWith("."))
    .map((s) => ({ name: s.name, section: s.section }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const sortKeys = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return {
    template,
    object: relative(root, objectPath),
    programs,
    maps: sortKeys(maps),
    sections: sortKeys(sections),
    structs: sortKeys(structs),
    enums: sortKeys(enums),
  };
}

// JSON, one line per value that fits in 110 columns: small, stable diffs.
function format(v, indent) {
  const flat = JSON.stringify(v, null, 1).replace(/\n\s*/g, " ").replace(/([[{]) /g, "$1").replace(/ ([\]}])/g, "$1");
  if (typeof v !== "object" || v === null || flat.length + indent.length <= 110) return flat;
  const inner = indent + "  ";
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + format(x, inner)).join(",\n")}\n${indent}]`;
  const entries = Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${format(x, inner)}`);
  return `{\n${entries.join(",\n")}\n${indent}}`;
}

/** "agg_plan" -> "AggPlan". */
const pascal = (name) => name.split("_").filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join("");

/** The TypeScript type of a described C type, as the rodata encoder (runtime/templates/struct-codec.ts) takes it. */
function tsType(t, d) {
  switch (t.kind) {
    case "int": return t.size === 8 ? "number | bigint" : "number";
    case "pointer": return "number | bigint";
    case "char": return "number";
    case "enum": {
      const names = Object.keys(d.enums[t.name] ?? {});
      return names.length ? names.map((n) => JSON.stringify(n)).join(" | ") : "string";
    }
    case "struct": return d.structs[t.name] ? pascal(t.name) : "Record<string, unknown>";
    case "array":
      if (t.of.kind === "char") return "string";
      return `${/[|]/.test(tsType(t.of, d)) ? `(${tsType(t.of, d)})` : tsType(t.of, d)}[]`;
    default: return "unknown";
  }
}

/** One interface per struct of the template's header: what the runtime writes (rodata configs,
 *  keys, filters) is typed from the object, so a member renamed in C breaks the TypeScript build.
 *  Members named _* (padding) are optional: the encoder writes zeros for what is left out. */
function structTypes(d) {
  const out = [];
  for (const [name, st] of Object.entries(d.structs)) {
    out.push(`/** struct ${name} (${st.size} bytes) */`, `export interface ${pascal(name)} {`);
    for (const m of st.members) out.push(`  ${m.name}${m.name.startsWith("_") ? "?" : ""}: ${tsType(m.type, d)};`);
    out.push("}", "");
  }
  return out;
}

export function generateDescriptor(objectPath, template) {
  const d = describe(objectPath, template);
  const json = format(d, "");
  return [
    `// Code generated by scripts/gen-bpf-descriptors.mjs from ${d.object} (bpf/${template}.h); DO NOT EDIT.`,
    `// Regenerate with scripts/build-bpf.sh; test/bpf/descriptors.test.ts fails when this is stale.`,
    `import type { TemplateDescriptor } from "../descriptor.js";`,
    ``,
    `export const descriptor = ${json} as const satisfies TemplateDescriptor;`,
    ``,
    ...structTypes(d),
  ].join("\n");
}

/** Every template: bpf/<name>.bpf.c with its object in bpf/build/. */
export function templates() {
  return readdirSync(join(root, "bpf")).filter((f) => f.endsWith(".bpf.c")).map((f) => f.slice(0, -".bpf.c".length)).sort();
}

export function generatedPath(template, dir = join(root, "bpf", "generated")) {
  return join(dir, `${template}.ts`);
}

export function objectPath(template) {
  return join(root, "bpf", "build", `${template}.bpf.o`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const at = process.argv.indexOf("--dir");
  const dir = at > 0 ? resolve(process.argv[at + 1]) : undefined;
  let stale = 0;
  for (const t of templates()) {
    if (!existsSync(objectPath(t))) throw new Error(`${objectPath(t)} is missing: run make -C bpf first`);
    const text = generateDescriptor(objectPath(t), t);
    const out = generatedPath(t, dir);
    const old = existsSync(out) ? readFileSync(out, "utf8") : "";
    if (old === text) continue;
    if (check) {
      console.error(`${relative(root, out)} is stale: run scripts/build-bpf.sh`);
      stale++;
    } else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text);
      console.log(`wrote ${relative(root, out)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
