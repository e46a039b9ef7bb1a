// What cells can call. The notebook sandbox makes these globals; outside the
// notebook they are plain imports (declarations build without a kernel).

export { tracepoint, TracepointProbe, type EventsOptions } from "./tracepoint.js";
export { parseDuration } from "./duration.js";
export { eventsTable, type EventsTable, type EventsMeta } from "./events-table.js";
export { setProbeHost, probeHost, type ProbeHost, type EventsPayload, type RunStats } from "./host.js";
