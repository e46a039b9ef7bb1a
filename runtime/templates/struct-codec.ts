// Encodes plain values into the C layouts a template describes (its generated
// descriptor): the rodata configuration written before load. Strict: an
// unknown member, an out-of-range integer or a wrong enum name is an error,
// since a wrong byte here is a wrong program.
import type { DescribedType, TemplateDescriptor } from "../../bpf/descriptor.js";

export type EncodableValue = number | bigint | string | boolean | EncodableStruct | readonly EncodableValue[];
export interface EncodableStruct {
  readonly [member: string]: EncodableValue | undefined;
}

function typeSize(d: TemplateDescriptor, t: DescribedType): number {
  switch (t.kind) {
    case "int":
    case "enum":
      return t.size;
    case "char":
      return 1;
    case "pointer":
      return 8;
    case "array":
      return t.count * typeSize(d, t.of);
    case "struct":
      return struct(d, t.name).size;
  }
}

function struct(d: TemplateDescriptor, name: string) {
  const s = d.structs[name];
  if (!s) throw new Error(`template ${d.template} describes no struct ${name}`);
  return s;
}

function writeInt(view: DataView, off: number, size: number, signed: boolean, v: bigint, where: string): void {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < min || v > max) throw new RangeError(`${where} = ${v} does not fit in ${signed ? "s" : "u"}${bits}`);
  const u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) view.setUint8(off + i, Number((u >> BigInt(8 * i)) & 0xffn)); // little-endian
}

function toBigInt(v: EncodableValue, where: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`${where} must be an integer, got ${JSON.stringify(v)}`);
}

function write(d: TemplateDescriptor, view: DataView, off: number, t: DescribedType, v: EncodableValue, where: string) {
  switch (t.kind) {
    case "int":
      return writeInt(view, off, t.size, t.signed, toBigInt(v, where), where);
    case "pointer":
      return writeInt(view, off, 8, false, toBigInt(v, where), where);
    case "char":
      return writeInt(view, off, 1, true, toBigInt(v, where), where);
    case "enum": {
      const values = d.enums[t.name] ?? {};
      let n: bigint;
      if (typeof v === "string") {
        if (!(v in values))
          throw new RangeError(`${where} = "${v}" is not a value of enum ${t.name} (${Object.keys(values).join(", ")})`);
        n = BigInt(values[v]!);
      } else n = toBigInt(v, where);
      return writeInt(view, off, t.size, t.signed, n, where);
    }
    case "array": {
      const size = typeSize(d, t.of);
      if (typeof v === "string" && t.of.kind === "char") {
        const bytes = new TextEncoder().encode(v);
        if (bytes.length >= t.count) throw new RangeError(`${where}: "${v}" needs ${bytes.length + 1} bytes, has ${t.count}`);
        bytes.forEach((b, i) => view.setUint8(off + i, b));
        return;
      }
      if (!Array.isArray(v)) throw new TypeError(`${where} must be an array`);
      if (v.length > t.count) throw new RangeError(`${where} has ${v.length} entries, at most ${t.count} fit`);
      (v as readonly EncodableValue[]).forEach((x, i) => write(d, view, off + i * size, t.of, x, `${where}[${i}]`));
      return;
    }
    case "struct": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError(`${where} must be an object`);
      const s = struct(d, t.name);
      const obj = v as EncodableStruct;
      for (const key of Object.keys(obj)) {
        if (!s.members.some((m) => m.name === key))
          throw new TypeError(`${where}: struct ${t.name} has no member "${key}" (${s.members.map((m) => m.name).join(", ")})`);
      }
      for (const m of s.members) {
        const x = obj[m.name];
        if (x !== undefined) write(d, view, off + m.offset, m.type, x, `${where}.${m.name}`);
      }
      return;
    }
  }
}

/** Bytes of a whole data section (".rodata") with the given variables set; the rest is zero. */
export function encodeSection(
  d: TemplateDescriptor,
  section: string,
  vars: Readonly<Record<string, EncodableValue>>,
): Uint8Array {
  const sec = d.sections[section];
  if (!sec) throw new Error(`template ${d.template} has no section ${section}`);
  const bytes = new Uint8Array(sec.size);
  const view = new DataView(bytes.buffer);
  for (const [name, value] of Object.entries(vars)) {
    const v = sec.vars.find((x) => x.name === name);
    if (!v) throw new TypeError(`template ${d.template} has no ${section} variable "${name}"`);
    write(d, view, v.offset, v.type, value, name);
  }
  return bytes;
}

/** Offset and size of a struct member, for layouts derived from the descriptor. */
export function member(d: TemplateDescriptor, structName: string, name: string) {
  const m = struct(d, structName).members.find((x) => x.name === name);
  if (!m) throw new Error(`struct ${structName} of template ${d.template} has no member ${name}`);
  return m;
}

export function structSize(d: TemplateDescriptor, structName: string): number {
  return struct(d, structName).size;
}
