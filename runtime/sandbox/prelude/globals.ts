// Everything a cell sees as a global, besides the JavaScript built-ins. The
// prelude copies these exports onto the sandbox's global object, and the
// language service imports them (by the names in ../global-names.ts) so
// completion and inspect see the same things with their TSDoc.

import * as aq from "arquero";

export { aq };
export {
  tracepoint, syscall, uprobe, uretprobe, usdt, kprobe, kretprobe, fentry, profile, tcp, tls, block, runqueue,
  explain, features, runs, parseDuration, workload,
} from "../../../probes-lib/index.js";
export * as plot from "../../../probes-lib/plot.js";
export { save, load } from "../../../probes-lib/save.js";
export { display, clear_output, clearOutput } from "./display.js";
export { sleep, setTimeout, clearTimeout } from "./timers.js";
export { input } from "./input.js";
export { help } from "./help.js";
export { sandboxConsole as console } from "./console.js";
