// Console output is gathered and sent to the host in chunks: one message per
// burst instead of one per console.log (10,000 log lines in a loop would
// otherwise be 10,000 Jupyter messages). A chunk goes out when the running
// JavaScript yields (microtask), every 100 ms during long synchronous work,
// at 64 kB, and before anything else crosses the bridge, so order is kept.
// The first line after a quiet spell is sent at once.

import { hostStream } from "./host-bridge.js";

type StreamName = "stdout" | "stderr";

const MAX_BUFFERED_CHARS = 64 * 1024;
const MAX_DELAY_MS = 100;

let chunks: { name: StreamName; text: string }[] = [];
let buffered = 0;
let firstAt = 0;
let flushQueued = false;
let lastSentAt = 0;

/** Queues text for a stream. */
export function writeStream(name: StreamName, text: string): void {
  // A line after a quiet spell goes out at once: "starting…" before a long
  // (or endless) loop must be seen.
  if (chunks.length === 0 && Date.now() - lastSentAt >= MAX_DELAY_MS) {
    lastSentAt = Date.now();
    hostStream(name, text);
    return;
  }
  const last = chunks.at(-1);
  if (last && last.name === name) last.text += text;
  else chunks.push({ name, text });
  if (buffered === 0) firstAt = Date.now();
  buffered += text.length;
  if (buffered >= MAX_BUFFERED_CHARS || Date.now() - firstAt >= MAX_DELAY_MS) {
    flushStreams();
  } else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushStreams);
  }
}

/** Sends everything queued, in order. */
export function flushStreams(): void {
  flushQueued = false;
  if (chunks.length === 0) return;
  const pending = chunks;
  chunks = [];
  buffered = 0;
  for (const chunk of pending) hostStream(chunk.name, chunk.text);
  lastSentAt = Date.now();
}
