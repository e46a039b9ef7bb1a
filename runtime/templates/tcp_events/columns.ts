// Readable TCP columns: tcp_events records carry addresses as 16 raw bytes and
// kinds/states as numbers; people read "127.0.0.1", "::1", "SYN_SENT".
import type { ColumnType } from "../columns.js";
import { TCP_EVENTS, TCP_STATE_NAMES } from "./layout.js";

/** "7f000001..." (16 bytes as hex) -> "127.0.0.1" or an RFC 5952 IPv6 text. */
export function addressText(hex: string, family: number): string {
  const bytes = Buffer.from(hex, "hex");
  if (family === 2) return [...bytes.subarray(0, 4)].join(".");
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) // IPv4-mapped
    return `::ffff:${[...bytes.subarray(12, 16)].join(".")}`;
  // the longest run (>= 2) of zero groups becomes "::"
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hexs = groups.map((g) => g.toString(16));
  if (best < 0) return hexs.join(":");
  return `${hexs.slice(0, best).join(":")}::${hexs.slice(best + bestLen).join(":")}`;
}

const KIND_NAMES = Object.fromEntries(Object.entries(TCP_EVENTS.kinds).map(([k, v]) => [v, k.replace(/^TCP_EV_/, "").toLowerCase()]));

/** Replaces tcp_events' raw columns by readable ones, in place: saddr/daddr as text,
 *  kind as "state"/"retransmit", and old_state/new_state names beside the numbers. */
export function readableTcpColumns(r: { columns: Record<string, unknown>; columnTypes: Record<string, ColumnType> }): void {
  const c = r.columns;
  const family = c.family as Uint16Array;
  const text = (col: string) => (c[col] as string[]).map((h, i) => addressText(h, family[i]!));
  const stateName = (col: string) => [...(c[col] as Int32Array)].map((s) => (s < 0 ? "" : TCP_STATE_NAMES[s] ?? String(s)));
  c.saddr = text("saddr");
  c.daddr = text("daddr");
  c.kind = [...(c.kind as Uint8Array)].map((k) => KIND_NAMES[k] ?? String(k));
  c.old_state = stateName("oldstate");
  c.new_state = stateName("newstate");
  for (const name of ["kind", "old_state", "new_state"]) r.columnTypes[name] = "string";
}
