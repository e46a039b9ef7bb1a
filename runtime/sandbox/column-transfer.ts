// The host's half of moving a finished run's columns into the sandbox without
// holding them twice. Copied as they are (isolated-vm's `copy: true`), a 1M-row
// result exists three times at once: the host's columns, their serialised
// copy, and the sandbox's; and a text column becomes one string per row in
// the sandbox. Packed here instead:
//
// - a typed array that owns its whole buffer moves: ExternalCopy with
//   transferOut takes its memory (the host's array is left detached, empty),
//   and the prelude's copy({ transferIn: true }) hands the same memory to the
//   sandbox;
// - a text column goes as a dictionary: one code per row (moved the same way)
//   and each distinct string once; the prelude expands the codes into an
//   array whose rows share the dictionary's strings.
//
// Only for results nobody else holds (a finished run's): moving a column
// leaves its array empty on the host. The prelude's column-unpack.ts undoes it;
// the shapes are in bridge-names.ts.

import ivm from "isolated-vm";
import { PACKED_COLUMN, type PackedColumn } from "./bridge-names.js";
import { dictionaryOf } from "../spec/text-dictionary.js";

/** Dictionaries up to this size use 16-bit codes. */
const UINT16_CODES = 0xffff;

/**
 * Replaces the columns that can move by their packed form (in a new object;
 * columns that can't, e.g. arrays sharing a buffer, are left to be copied).
 */
export function packColumns(columns: Record<string, ArrayLike<unknown>>): Record<string, ArrayLike<unknown> | PackedColumn> {
  const buffers = new Map<ArrayBufferLike, number>();
  for (const column of Object.values(columns)) {
    if (ArrayBuffer.isView(column)) buffers.set(column.buffer, (buffers.get(column.buffer) ?? 0) + 1);
  }
  const packed: Record<string, ArrayLike<unknown> | PackedColumn> = {};
  for (const [name, column] of Object.entries(columns)) {
    if (ArrayBuffer.isView(column)) {
      packed[name] = ownsWholeBuffer(column, buffers) ? moved(column) : column;
    } else if (Array.isArray(column)) {
      const known = dictionaryOf(column); // encoded when it was assembled: the codes move as they are
      packed[name] = known ? dictionaryPacked(known.codes, known.dictionary) : encodeDictionary(column) ?? column;
    } else {
      packed[name] = column;
    }
  }
  return packed;
}

/** A view over all of a buffer no other column shares can move (moving detaches the whole buffer). */
function ownsWholeBuffer(view: ArrayBufferView, buffers: Map<ArrayBufferLike, number>): boolean {
  const buffer = view.buffer;
  return buffer instanceof ArrayBuffer && buffers.get(buffer) === 1 && view.byteOffset === 0 && view.byteLength === buffer.byteLength && buffer.byteLength > 0;
}

function moved(view: ArrayBufferView): PackedColumn {
  return { [PACKED_COLUMN]: "moved", data: new ivm.ExternalCopy(view, { transferOut: true }) };
}

function dictionaryPacked(codes: Uint16Array | Uint32Array, dictionary: string[]): PackedColumn {
  return { [PACKED_COLUMN]: "dictionary", codes: codes.length > 0 ? new ivm.ExternalCopy(codes, { transferOut: true }) : codes, dictionary };
}

/** Codes and distinct strings of a column of strings; undefined if it holds anything else. */
function encodeDictionary(values: unknown[]): PackedColumn | undefined {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  let codes: Uint16Array | Uint32Array = new Uint16Array(values.length);
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    if (typeof value !== "string") return undefined;
    let code = index.get(value);
    if (code === undefined) {
      code = dictionary.push(value) - 1;
      index.set(value, code);
      if (code > UINT16_CODES && codes instanceof Uint16Array) codes = Uint32Array.from(codes);
    }
    codes[row] = code;
  }
  return dictionaryPacked(codes, dictionary);
}
