// What the runtime knows about the tls template (bpf/tls.bpf.c), all from its
// generated descriptor.
import { descriptor } from "../../../bpf/generated/tls.js";
import type { OutputColumn } from "../columns.js";
import { columnType, integerKind } from "../columns.js";
import { structColumns } from "../probe-header.js";
import { member, structSize } from "../struct-codec.js";
import { runSwitchOf } from "../ring-spec.js";

export { descriptor as tlsDescriptor };

type Program = (typeof descriptor.programs)[number]["name"];
type MapName = keyof typeof descriptor.maps;

export const TLS = {
  template: descriptor.template,
  programs: { entry: "pb_tls_entry", ret: "pb_tls_return" } satisfies Record<string, Program>,
  ringMap: "pb_events" satisfies MapName,
  dropsMap: "pb_drops" satisfies MapName,
  /** The run's switch in .bss (bpf/common.bpf.h, PB_RUN_SWITCH): stored to end a run. */
  runSwitch: runSwitchOf(descriptor),
  callsMap: "pb_tls_calls" satisfies MapName,
  /** The values of a call: where predicates, keys and the folded value read them (struct tls_values). */
  valuesOffset: member(descriptor, "tls_event", "v").offset,
  /** The plaintext: right after the values, `captured` bytes. */
  dataOffset: member(descriptor, "tls_event", "data").offset,
  functions: descriptor.enums.tls_function,
  directions: descriptor.enums.tls_direction,
  /** TLS_CAP_MAX in bpf/tls.h: the largest size class of a record. */
  capMax: 1 << 20,
} as const;

/** struct tls_config, generated from the object's BTF. */
export type { TlsConfig } from "../../../bpf/generated/tls.js";

/** The integer members of struct tls_values a filter, key or aggregation can read. */
export const TLS_VALUES = ["ret", "len", "captured", "direction", "function", "library"] as const;
export type TlsValueName = (typeof TLS_VALUES)[number];

/** Where a member of struct tls_values is, its width and sign. */
export function tlsValue(name: TlsValueName): { offset: number; size: number; signed: boolean } {
  const m = member(descriptor, "tls_values", name);
  const t = m.type as { size?: number; signed?: boolean };
  return { offset: m.offset, size: m.size, signed: !!t.signed };
}

/** The columns of a record: the common header, the call's values, and the bytes. */
export function tlsColumns(cap: number): OutputColumn[] {
  const values = TLS_VALUES.map((name): OutputColumn => {
    const v = tlsValue(name);
    const kind = integerKind(v.size, v.signed)!;
    return { name, offset: TLS.valuesOffset + v.offset, kind, type: columnType(kind), origin: "struct tls_values" };
  });
  return [
    ...structColumns(descriptor, "pb_event_header"),
    ...values,
    { name: "data", offset: TLS.dataOffset, kind: "bytes", length: cap, lengthAt: TLS.valuesOffset + tlsValue("captured").offset,
      type: "binary", origin: "the call's buffer" },
  ];
}

export const TLS_EVENT_SIZE = structSize(descriptor, "tls_event");
