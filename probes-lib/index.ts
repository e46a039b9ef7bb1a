// What cells can call. The notebook sandbox makes these globals; outside the
// notebook they are plain imports (declarations build without a kernel).

export { tracepoint, TracepointProbe, type EventsOptions } from "./tracepoint.js";
export { syscall, SyscallProbe } from "./syscall.js";
export { LatencyProbe, block, runqueue, type LatencyEventsOptions } from "./latency.js";
export { AggregationProbe, type AggregationKey, type HistogramOptions } from "./aggregation.js";
export { DateColumn } from "./date-column.js";
export { FunctionProbe, uprobe, uretprobe, usdt, kprobe, kretprobe, fentry, type FunctionHook, type ValueType, type ProcessOptions } from "./function-probe.js";
export { profile, ProfileProbe, type ProfileOptions } from "./profile.js";
export { tcp, TcpProbe, type TcpWhere } from "./tcp.js";
export { tls, TlsProbe, type TlsOptions, type TlsValue, type TlsWhere } from "./tls.js";
export { Probe, isProbe } from "./probe.js";
export { BackgroundRun, runs } from "./background-run.js";
export { workload, Workload, setWorkloadHost, type WorkloadName, type WorkloadParams, type WorkloadCounts, type WorkloadFacts, type WorkloadResult, type WorkloadHost } from "./workload.js";
export { explain, Explanation, type ExplainOptions } from "./explain.js";
export { features } from "./features.js";
export { parseDuration, parseNanoseconds } from "./duration.js";
export type { Duration, RunOptions, StartOptions } from "./run-options.js";
export type { Where, FieldCondition } from "./where.js";
export { resultTable, withMeta, type ProbeTable, type ProbeMeta } from "./result-table.js";
export { eventsTable, type EventsTable, type EventsMeta } from "./events-table.js";
export { setProbeHost, probeHost, type ProbeHost, type EventsPayload, type ResultPayload, type RunStats, type RunInfo } from "./host.js";
