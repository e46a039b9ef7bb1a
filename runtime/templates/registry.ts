// Every template, once. Adding a template means its folder
// (runtime/templates/<name>/: layout, plan, index), one line here, and its
// builder in probes-lib.
import type { AnyDeclaration } from "../spec/declaration.js";
import { PlanError } from "../spec/errors.js";
import { aggFn } from "./agg_fn/index.js";
import { aggTp } from "./agg_tp/index.js";
import { latPairs } from "./lat_pairs/index.js";
import { profile } from "./profile/index.js";
import { tcpEvents } from "./tcp_events/index.js";
import { tls } from "./tls/index.js";
import type { Template } from "./template.js";
import { tpEvents } from "./tp_events/index.js";
import { uprobeEvents } from "./uprobe_events/index.js";

export const TEMPLATES: readonly Template<any>[] = [tpEvents, uprobeEvents, tcpEvents, aggTp, aggFn, latPairs, profile, tls];

const KINDS = ["events", "aggregate", "latency", "profile", "tcp"];

/** The template that serves `decl` (BAD_DECLARATION when none does). */
export function templateFor(decl: AnyDeclaration): Template<any> {
  if (!decl || typeof decl !== "object") throw new PlanError("BAD_DECLARATION", "a declaration must be an object");
  const t = TEMPLATES.find((x) => x.serves(decl));
  if (!t) throw new PlanError("BAD_DECLARATION",
    `unknown declaration kind ${JSON.stringify((decl as { kind?: unknown }).kind)} (known: ${KINDS.map((k) => `"${k}"`).join(", ")})`);
  return t;
}

/** The template named `name` (a spec's `template`). */
export function templateNamed(name: string): Template<any> {
  const t = TEMPLATES.find((x) => x.name === name);
  if (!t) throw new Error(`no template ${JSON.stringify(name)} (templates: ${TEMPLATES.map((x) => x.name).join(", ")})`);
  return t;
}
