// Output columns of a template instance: where each column sits in a record,
// how the native reader decodes it, and what JS type it arrives as.
import type { ColumnKind } from "../../native/surface.js";

/** The JS storage of a column: a typed array's element type, "string", "binary" (a Uint8Array per
 *  row) or "boolean" (made by a template's readable columns). */
export type ColumnType =
  | "uint8" | "uint16" | "uint32" | "int8" | "int16" | "int32"
  | "float64" | "biguint64" | "bigint64" | "string" | "binary" | "boolean";

export interface OutputColumn {
  name: string;
  /** Byte offset in the record. */
  offset: number;
  kind: ColumnKind;
  /** Bytes in the record for "cstring" and "hex"; "bytes": the most. */
  length?: number;
  /** "bytes": offset of the u32 holding the row's byte count. */
  lengthAt?: number;
  type: ColumnType;
  /** Where it comes from, for people: "header", or the tracepoint field's C type. */
  origin: string;
}

const TYPE_OF: Record<ColumnKind, ColumnType> = {
  u8: "uint8", u16: "uint16", u32: "uint32", s8: "int8", s16: "int16", s32: "int32",
  u64: "biguint64", s64: "bigint64", u64_f64: "float64", s64_f64: "float64", cstring: "string", hex: "string",
  bytes: "binary",
};

export function columnType(kind: ColumnKind): ColumnType {
  return TYPE_OF[kind];
}

/**
 * The decoder for an integer of `size` bytes. 64-bit integers become Float64
 * (arquero's arithmetic, binning and plots work on numbers; exact below 2^53,
 * which covers counts, sizes, ids and nanosecond times for 104 days of uptime)
 * unless `exact` (addresses: pointers must not be rounded) asks for BigInt.
 */
export function integerKind(size: number, signed: boolean, exact = false): ColumnKind | undefined {
  switch (size) {
    case 1: return signed ? "s8" : "u8";
    case 2: return signed ? "s16" : "u16";
    case 4: return signed ? "s32" : "u32";
    case 8: return exact ? (signed ? "s64" : "u64") : signed ? "s64_f64" : "u64_f64";
    default: return undefined;
  }
}
