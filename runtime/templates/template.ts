// The one interface every template stands behind (runtime/templates/<name>/):
// what declarations it serves, how it plans one (pure: host facts in, a spec
// out), what its loader needs, how its run is read, and how explain() words
// it. The registry (registry.ts) lists them; nothing else switches on names.
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import type { HostFacts } from "../host/facts.js";
import type { FeatureName } from "../host/features.js";
import type { AnyDeclaration } from "../spec/declaration.js";
import type { ColumnType } from "./columns.js";

/** How a run of the template is read: a ring buffer of records, per-CPU aggregation maps, or a profile's counts and stacks. */
export type Reader = "ring" | "aggregate" | "profile";

/** The reader of `spec`, a spec of `template`. */
export function readerOf<S>(template: Template<S>, spec: S): Reader {
  return typeof template.reader === "function" ? template.reader(spec) : template.reader;
}

/** What explain() tells a template's why from: the programs the loader keeps and their attach points. */
export interface WhyContext {
  programs: string[];
  attach: string[];
}

export interface Template<S = unknown> {
  name: string;
  /** Generated from the compiled object's BTF (bpf/generated/<name>.ts). */
  descriptor: TemplateDescriptor;
  /** How its runs are read; a template with more than one shape (tls: records or an aggregation) says per spec. */
  reader: Reader | ((spec: S) => Reader);
  /** Whether this template is the one for `decl` (exactly one template serves each declaration). */
  serves(decl: AnyDeclaration): boolean;
  /** The declaration as a spec of this template: validated, laid out, plain data. Reads no file, probes nothing. */
  plan(decl: AnyDeclaration, facts: HostFacts): S;
  /** Features the template can't run without, checked when loading. */
  requires?: readonly { feature: FeatureName; alternative: string }[];
  /** Ring runs: turns the raw columns into what people read, in place (before `time` is added). */
  readable?(table: { columns: Record<string, unknown>; columnTypes: Record<string, ColumnType> }, spec: S): void;
  /** explain(): why this template, for this spec. */
  why(spec: S, context: WhyContext): string;
}
