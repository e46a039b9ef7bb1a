// probes-lib's host inside the sandbox: every request goes over the one probe
// bridge function as JSON (runtime/spec/protocol.ts) and comes back as data.

import type { ProbeHost } from "../../../probes-lib/host.js";
import type { ExplainData } from "../../spec/explain-data.js";
import type { FeatureInfo, ResultPayload, RunInfo } from "../../spec/protocol.js";
import { hostProbe } from "./host-bridge.js";

async function result(request: Parameters<typeof hostProbe>[0]): Promise<ResultPayload> {
  return ((await hostProbe(request)) as { result: ResultPayload }).result;
}

export const bridgeProbeHost: ProbeHost = {
  run: (declaration, options) => result({ op: "run", declaration, ...(options?.bpfStats ? { bpfStats: true } : {}) }),
  async start(name, code, declaration) {
    return ((await hostProbe({ op: "start", name, code, declaration })) as { run: RunInfo }).run;
  },
  snapshot: (name) => result({ op: "snapshot", name }),
  stop: (name) => result({ op: "stop", name }),
  async runs() {
    return ((await hostProbe({ op: "runs" })) as { runs: RunInfo[] }).runs;
  },
  async explain(declaration, { load, misconfigure }) {
    return ((await hostProbe({ op: "explain", declaration, load, ...(misconfigure !== undefined ? { misconfigure } : {}) })) as { explain: ExplainData }).explain;
  },
  async features() {
    return ((await hostProbe({ op: "features" })) as { features: FeatureInfo[] }).features;
  },
};
