// Wire framing of a Jupyter message over ZeroMQ:
//   [identities..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers...]
// decodeFrames() turns untrusted frames into a message or a reason to drop it;
// encodeMessage() is its inverse. Neither touches a socket.
import { randomUUID } from "node:crypto";
import { DELIMITER, PROTOCOL_VERSION, type Header, type JsonObject, type Message } from "./messages.js";
import type { Signer } from "./signing.js";
import type { DigestHistory } from "./digest-history.js";
import { DEFAULT_MAX_MESSAGE_MB, MAX_MESSAGE_ENV } from "./message-limit.js";

const DELIMITER_BYTES = Buffer.from(DELIMITER, "latin1");

export type DecodeResult =
  | { ok: true; identities: Buffer[]; message: Message<string, JsonObject> }
  | { ok: false; identities: Buffer[]; reason: string };

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonFrame(frame: Buffer, name: string): { value: JsonObject } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString("utf8"));
  } catch (err) {
    return { error: `${name} frame is not valid JSON (${(err as Error).message})` };
  }
  if (!isPlainObject(value)) return { error: `${name} frame is JSON but not an object` };
  return { value };
}

/** Checks the fields every header must carry; returns a description of the first problem. */
export function headerProblem(header: JsonObject): string | undefined {
  for (const field of ["msg_id", "msg_type", "session"] as const) {
    if (typeof header[field] !== "string" || header[field] === "") {
      return `header.${field} is missing or not a non-empty string`;
    }
  }
  for (const field of ["username", "date", "version"] as const) {
    if (header[field] !== undefined && typeof header[field] !== "string") {
      return `header.${field} is not a string`;
    }
  }
  return undefined;
}

export interface DecodeOptions {
  /** Messages larger than this (all frames together) are dropped before anything is checked. */
  maxBytes?: number;
  /** Signatures already accepted: a message carrying one of them is a replay and is dropped. */
  history?: DigestHistory;
}

/**
 * Decodes frames from a ROUTER socket. The size is checked first and the
 * signature before any JSON is parsed, so unsigned input never reaches the
 * parser; a correctly signed message seen before (a replay) is refused too.
 */
export function decodeFrames(frames: readonly Buffer[], signer: Signer, options: DecodeOptions = {}): DecodeResult {
  const { maxBytes = DEFAULT_MAX_MESSAGE_MB * 1024 * 1024, history } = options;
  let size = 0;
  for (const frame of frames) size += frame.length;
  if (size > maxBytes) {
    return {
      ok: false,
      identities: [],
      reason: `the message is ${size} bytes, over the kernel's limit of ${maxBytes} bytes (set ${MAX_MESSAGE_ENV} in the kernel's environment to raise it)`,
    };
  }
  const split = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (split < 0) {
    return { ok: false, identities: [], reason: `no "${DELIMITER}" delimiter among ${frames.length} frames` };
  }
  const identities = frames.slice(0, split);
  const rest = frames.slice(split + 1);
  if (rest.length < 5) {
    return {
      ok: false,
      identities,
      reason: `expected signature, header, parent_header, metadata and content after the delimiter, got ${rest.length} frames`,
    };
  }
  const [signature, headerFrame, parentFrame, metadataFrame, contentFrame, ...buffers] = rest;
  const signed = [headerFrame, parentFrame, metadataFrame, contentFrame];
  if (!signer.verify(signature, signed)) {
    return { ok: false, identities, reason: "signature does not match the connection key" };
  }
  if (history && signer.signs && !history.add(signature.toString("latin1").toLowerCase())) {
    return { ok: false, identities, reason: "the signature was seen before: a replayed message" };
  }
  const parts: JsonObject[] = [];
  for (const [frame, name] of [
    [headerFrame, "header"],
    [parentFrame, "parent_header"],
    [metadataFrame, "metadata"],
    [contentFrame, "content"],
  ] as const) {
    const parsed = parseJsonFrame(frame, name);
    if ("error" in parsed) return { ok: false, identities, reason: parsed.error };
    parts.push(parsed.value);
  }
  const [header, parent, metadata, content] = parts;
  const problem = headerProblem(header);
  if (problem) return { ok: false, identities, reason: problem };
  return {
    ok: true,
    identities,
    message: {
      header: {
        msg_id: header.msg_id as string,
        msg_type: header.msg_type as string,
        session: header.session as string,
        username: (header.username as string | undefined) ?? "",
        date: (header.date as string | undefined) ?? "",
        version: (header.version as string | undefined) ?? "",
      },
      parent_header: parent as Message["parent_header"],
      metadata,
      content,
      buffers,
    },
  };
}

export function encodeMessage(message: Message<string, unknown>, signer: Signer, identities: readonly Buffer[] = []): Buffer[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [...identities, DELIMITER_BYTES, Buffer.from(signer.sign(json), "latin1"), ...json, ...message.buffers];
}

export function newHeader<T extends string>(msgType: T, session: string, username = "probebook"): Header<T> {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Builds a message that answers or follows from `parent` (or stands alone when parent is undefined). */
export function newMessage<T extends string, C>(
  msgType: T,
  content: C,
  session: string,
  parent?: Header,
  metadata: JsonObject = {},
): Message<T, C> {
  return { header: newHeader(msgType, session), parent_header: parent ?? {}, metadata, content, buffers: [] };
}
