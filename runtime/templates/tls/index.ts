// tls: the plaintext of OpenSSL's SSL_read/SSL_write (and _ex) at their return, as records or aggregated in the kernel.
import type { AggregateDeclaration, TlsEventsDeclaration } from "../../spec/declaration.js";
import type { AggregationInstance } from "../../planner/aggregation.js";
import type { Template } from "../template.js";
import { readableTlsColumns } from "./columns.js";
import { tlsDescriptor } from "./layout.js";
import { planTlsAggregate, planTlsEvents, type TlsEventsInstance } from "./plan.js";

type TlsSpec = TlsEventsInstance | AggregationInstance;

const isAggregation = (s: TlsSpec): s is AggregationInstance => "keyColumns" in s;

export const tls: Template<TlsSpec> = {
  name: "tls",
  descriptor: tlsDescriptor,
  reader: (s) => (isAggregation(s) ? "aggregate" : "ring"),
  serves: (d) => (d.kind === "events" || d.kind === "aggregate") && (d.source as { type?: string } | undefined)?.type === "tls",
  plan: (d, facts) => (d.kind === "aggregate" ? planTlsAggregate(d as AggregateDeclaration, facts) : planTlsEvents(d as TlsEventsDeclaration, facts)),
  requires: [{ feature: "uprobe", alternative: "tls() needs uprobes (CONFIG_UPROBE_EVENTS)." }],
  readable: (table, spec) => readableTlsColumns(table, spec as TlsEventsInstance),
  why: (s, { attach }) => `TLS plaintext: tls puts an entry and a return probe on each of OpenSSL's SSL_read, SSL_write, SSL_read_ex and ` +
    `SSL_write_ex it found (${attach.length / 2} functions: ${isAggregation(s) ? s.describe : s.target}). The entry saves the buffer ` +
    "(and the _ex variants' size_t *) per thread; the return, once the buffer is filled, reads how many bytes moved (the return value, " +
    "or *size_t for _ex) and " + (isAggregation(s) ? "folds the call into a per-CPU hash map." :
      `copies min(bytes, ${s.cap}) of them into a ring-buffer record sized to what it carries.`),
};
