// Where a template's programs go, for every template (events, function
// probes, TCP, profiles, aggregations, latency pairs), and the one way they are
// attached. Errors keep the addon's words ("attach uprobe /usr/lib/...: ENOENT")
// and add what to check.
import type { BpfLink, BpfObject, NativeError } from "../../native/surface.js";
import { ProbebookError } from "../spec/errors.js";

import type { ProbeAttach } from "../templates/attach-point.js";
export type { ProbeAttach } from "../templates/attach-point.js";

/** Attaches one hook of a plan. */
export function attachOne(obj: BpfObject, a: ProbeAttach): BpfLink {
  try {
    switch (a.kind) {
      case "tracepoint": return obj.attachTracepoint(a.program, a.category, a.event);
      case "uprobe":
        return obj.attachUprobe(a.program, { binary: a.binary, symbol: a.symbol, retprobe: a.retprobe, ...(a.pid ? { pid: a.pid } : {}),
          ...(a.cookie ? { cookie: a.cookie } : {}) });
      case "usdt":
        return obj.attachUsdt(a.program, { binary: a.binary, provider: a.provider, name: a.name, ...(a.pid ? { pid: a.pid } : {}) });
      case "kprobe": return obj.attachKprobe(a.program, { function: a.function, retprobe: a.retprobe });
      case "tp_btf":
      case "trace": return obj.attachTrace(a.program);
      case "perf_event": throw new Error("perf events are attached per CPU by the profile runner");
    }
  } catch (e) {
    const err = e as NativeError;
    const code = err.code === "EPERM" || err.code === "EACCES" ? "PERMISSION" : "ATTACH_FAILED";
    throw Object.assign(new ProbebookError(code, `${err.message}${hint(a, err.code)}`, { attach: a, errno: err.errno, errnoCode: err.code }),
      { errno: err.errno, cause: err });
  }
}

/** What to check when attaching failed with `code`. */
function hint(a: ProbeAttach, code: string | undefined): string {
  if (code === "EPERM" || code === "EACCES") return " (attaching needs root: CAP_PERFMON and CAP_SYS_ADMIN)";
  if (code === "ESRCH") return " (the process is gone)";
  if (code === "ENOENT" && a.kind === "usdt") return ` (does ${a.binary} define USDT probe ${a.provider}:${a.name}? readelf -n lists its stapsdt notes)`;
  if (code === "ENOENT" && a.kind === "uprobe") return ` (is ${a.symbol} defined in ${a.binary}, and is the binary still there?)`;
  if (code === "ENOENT" && (a.kind === "tracepoint" || a.kind === "tp_btf")) return " (the tracepoint is gone: was its module unloaded?)";
  if ((code === "ENOENT" || code === "EINVAL") && (a.kind === "kprobe" || a.kind === "trace"))
    return " (is the function inlined, or not traceable? see /sys/kernel/tracing/available_filter_functions)";
  return "";
}
