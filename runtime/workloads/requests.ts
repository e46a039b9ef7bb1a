// The host's answer to workload requests from the sandbox
// (runtime/spec/workload-protocol.ts). Nothing here throws across the bridge:
// failures travel as { ok: false, error } and are thrown in the cell.

import { errorData } from "../spec/errors.js";
import type { WorkloadReply, WorkloadRequest } from "../spec/workload-protocol.js";
import type { Workloads } from "./registry.js";

/** Answers one request; `cell` is the running cell's key (a re-run of it kills what it started). */
export async function handleWorkloadRequest(json: string, workloads: Workloads, cell: string | undefined): Promise<WorkloadReply> {
  try {
    const r = JSON.parse(json) as WorkloadRequest;
    switch (r?.op) {
      case "start":
        return { ok: true, workload: await workloads.start(r.name, r.params, cell) };
      case "go":
        workloads.go(Number(r.id));
        return { ok: true };
      case "wait":
        return { ok: true, end: await workloads.wait(Number(r.id)) };
      case "stop":
        return { ok: true, end: await workloads.stop(Number(r.id)) };
      default:
        throw new TypeError(`unknown workload request ${JSON.stringify((r as { op?: unknown })?.op)}`);
    }
  } catch (error) {
    return { ok: false, error: errorData(error) };
  }
}
