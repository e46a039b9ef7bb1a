// probebook's side of the per-event and throughput rows, through the runtime
// APIs directly (the in-kernel cost and the consumer are what is measured, not
// the notebook). Imports dist/, which scripts/setup.sh builds.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./procs.mjs";

async function importDist(relative) {
  const file = join(ROOT, "dist", relative);
  if (!existsSync(file)) return undefined;
  return import(pathToFileURL(file).href);
}

const GETPPID = { type: "tracepoint", name: "syscalls:sys_enter_getppid" };

/** The event stream declaration: every field of sys_enter_getppid (the header + __syscall_nr). */
export const streamDeclaration = () => ({ kind: "events", source: GETPPID, fields: [], filter: {}, durationMs: 3600_000 });

/** The planned instance of the stream (its ring size sizes the floor's ring in the throughput rows). */
export async function planStream(decl = streamDeclaration()) {
  const { plan } = await importDist("runtime/planner.js");
  return plan(decl);
}

/**
 * Starts an events run; resolves once every probe is attached. stop() aborts
 * it and resolves with rows, drops and seen (as the kernel counted them).
 * `instance` (a planned TemplateInstance) overrides the declaration.
 */
export async function startEvents({ decl = streamDeclaration(), instance } = {}) {
  const mod = await importDist("runtime/run-events.js");
  const abort = new AbortController();
  let attached;
  const ready = new Promise((resolve) => (attached = resolve));
  const opts = { signal: abort.signal, onAttached: () => attached() };
  const run = instance ? mod.runInstance(instance, opts) : mod.runEvents(decl, opts);
  await Promise.race([ready, run]);
  return {
    async stop() {
      abort.abort();
      const result = await run;
      return { events: result.rowCount, drops: result.stats.dropped, seen: result.stats.seen, columns: Object.keys(result.columns).length };
    },
  };
}

/**
 * The aggregation rows (keyed count, log2 latency histogram). Colleagues are
 * adding the templates; until dist/ has a runner for them this returns
 * undefined and the rows say "not measured".
 * Expected shape (adapt here when it lands): a declaration of kind
 * "aggregate" run by runtime/run-aggregate.js's runAggregate(decl, { signal, onAttached }).
 */
export async function aggregateRunner() {
  const mod = await importDist("runtime/run-aggregate.js");
  if (!mod?.runAggregate) return undefined;
  return mod;
}
