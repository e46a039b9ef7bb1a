// The prelude: bundled by scripts/build-sandbox.mjs into dist/sandbox/prelude.js
// (an IIFE) and run once in every new sandbox, after the session has put the
// bridge references on the global object. Import order matters: WebAssembly goes
// first, and the text codec and queueMicrotask must exist before anything else
// is evaluated.

import "./no-webassembly.js";
import "./text-codec.js";
import "./microtask.js";
import { ColumnTable } from "arquero";
import { setProbeHost } from "../../../probes-lib/host.js";
import { setWorkloadHost } from "../../../probes-lib/workload.js";
import { setPlotRenderer, setTextWidth } from "../../../probes-lib/plot-host.js";
import { setSavedDataHost } from "../../../probes-lib/save-host.js";
import { RUN_CELL } from "../bridge-names.js";
import * as sandboxGlobals from "./globals.js";
import { hostLoadData, hostRenderPlot, hostSaveData, hostTextWidth, hostWorkload } from "./host-bridge.js";
import { bridgeProbeHost } from "./probe-host.js";
import { inspectCustom } from "./inspect.js";
import { tableText } from "./render-table.js";
import { installTableErrors } from "./table-errors.js";
import { runCell } from "./run-cell.js";

// arquero's errors come from deep inside it; with V8's default of 10 frames
// the cell's own frame would fall off the end of the stack.
Error.stackTraceLimit = 100;

setProbeHost(bridgeProbeHost);
setWorkloadHost({ request: hostWorkload });
installTableErrors();

setPlotRenderer(hostRenderPlot);
setTextWidth(hostTextWidth);
setSavedDataHost({ write: hostSaveData, read: hostLoadData });

// console.log(table) prints the text table, not arquero's internals.
Object.defineProperty(ColumnTable.prototype, inspectCustom, {
  value(this: ColumnTable) {
    return tableText(this);
  },
});

const g = globalThis as Record<string, unknown>;
for (const [name, value] of Object.entries(sandboxGlobals)) {
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
}
Object.defineProperty(g, RUN_CELL, { value: runCell, writable: false, configurable: false, enumerable: false });
