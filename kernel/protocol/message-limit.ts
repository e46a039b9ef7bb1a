// The largest message the kernel accepts. Requests are code and small JSON;
// anything near this size is a mistake or an attack, and buffering it would
// cost the kernel memory that probes need. ZeroMQ enforces it per frame (the
// peer is disconnected: the frame is never buffered), decodeFrames() on the
// whole message (dropped and logged).

/** Default cap on one incoming message, all frames together. */
export const DEFAULT_MAX_MESSAGE_MB = 32;
export const MAX_MESSAGE_ENV = "PROBEBOOK_MAX_MESSAGE_MB";

/** The cap in bytes: $PROBEBOOK_MAX_MESSAGE_MB (a positive number) or the default. */
export function maxMessageBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_MESSAGE_ENV];
  const mb = raw === undefined || raw === "" ? DEFAULT_MAX_MESSAGE_MB : Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new Error(`${MAX_MESSAGE_ENV}=${JSON.stringify(raw)} is not a positive number of megabytes (default ${DEFAULT_MAX_MESSAGE_MB})`);
  }
  return Math.floor(mb * 1024 * 1024);
}
