// Stack id columns turned into text: the ids index a BPF_MAP_TYPE_STACK_TRACE
// map that lives only as long as the loaded object, so they are named here,
// before it is closed, in the folded format of a profile ("outermost;...;innermost").
import type { BpfObject } from "../../native/surface.js";
import type { Mapping } from "../host/proc-maps.js";
import { readMaps } from "../host/proc-maps.js";
import { frameText, symbolizeKernel, symbolizeUser } from "../host/symbolize.js";
import type { StackColumnsPlan, StackName } from "../templates/stack-columns.js";

/**
 * Names stack ids of one loaded object. Ids and process maps are cached, so a
 * stack repeated over thousands of rows is read and symbolised once.
 */
export class StackNamer {
  readonly #text = new Map<string, string>();
  readonly #maps = new Map<number, Mapping[] | undefined>();
  constructor(private readonly obj: BpfObject, private readonly map: string) {}

  /** "outer;...;inner" for stack `id`, or "" for a negative id (no stack: a kernel thread's
   *  user stack, an exited process, a full stack map). */
  folded(id: number, name: StackName, pid: number): string {
    if (!(id >= 0)) return "";
    const user = name === "ustack";
    const key = user ? `u${id}/${pid}` : `k${id}`;
    let text = this.#text.get(key);
    if (text === undefined) {
      const ips = [...this.obj.stackTrace(this.map, id)]; // innermost first
      const frames = user ? ips.map((ip) => symbolizeUser(ip, this.#mapsOf(pid), pid)) : ips.map((ip) => symbolizeKernel(ip));
      text = frames.map(frameText).reverse().join(";");
      this.#text.set(key, text);
    }
    return text;
  }

  #mapsOf(pid: number): Mapping[] | undefined {
    if (!this.#maps.has(pid)) this.#maps.set(pid, pid > 0 ? readMaps(pid) : undefined);
    return this.#maps.get(pid);
  }
}

/** Replaces the stack id columns of a finished table by their text (in place). */
export function nameStackColumns(
  obj: BpfObject,
  plan: StackColumnsPlan,
  columns: Record<string, unknown>,
  columnTypes: Record<string, string>,
  rowCount: number,
): void {
  const namer = new StackNamer(obj, plan.map);
  const pids = columns[plan.pidColumn] as ArrayLike<number> | undefined;
  for (const name of plan.columns) {
    const ids = columns[name] as ArrayLike<number> | undefined;
    if (!ids) continue;
    const out = new Array<string>(rowCount);
    for (let i = 0; i < rowCount; i++) out[i] = namer.folded(ids[i]!, name, pids ? pids[i]! : 0);
    columns[name] = out;
    columnTypes[name] = "string";
  }
}
