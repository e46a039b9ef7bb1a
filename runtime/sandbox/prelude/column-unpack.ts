// The sandbox's half of runtime/sandbox/column-transfer.ts: takes the memory the
// host moved (a typed array comes out as it went in) and expands dictionary
// columns into arrays whose rows share the dictionary's strings. Runs before
// anything reaches a cell: no isolated-vm handle may be left for cell code.

import { PACKED_COLUMN, type MovedMemory, type PackedColumn } from "../bridge-names.js";

/** The columns as arquero takes them; unpacked in place of the packed ones. */
export function unpackColumns(columns: Record<string, unknown>): Record<string, ArrayLike<unknown>> {
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const [name, column] of Object.entries(columns)) {
    out[name] = isPacked(column) ? unpack(column) : (column as ArrayLike<unknown>);
  }
  return out;
}

function isPacked(value: unknown): value is PackedColumn {
  return typeof value === "object" && value !== null && PACKED_COLUMN in value;
}

function unpack(column: PackedColumn): ArrayLike<unknown> {
  if (column[PACKED_COLUMN] === "moved") return take(column.data);
  const codes = ArrayBuffer.isView(column.codes) ? column.codes : take(column.codes);
  const { dictionary } = column;
  const values = new Array<string>(codes.length);
  for (let row = 0; row < codes.length; row++) values[row] = dictionary[codes[row]!]!;
  return values;
}

/** The typed array whose memory the host moved (its handle is spent afterwards). */
function take(memory: MovedMemory): ArrayLike<number> {
  return memory.copy({ transferIn: true }) as ArrayLike<number>;
}
