import { describe, expect, it } from "vitest";
import { createSigner } from "../../../kernel/protocol/signing.js";
import { decodeFrames, encodeMessage, newMessage } from "../../../kernel/protocol/wire.js";
import { DigestHistory } from "../../../kernel/protocol/digest-history.js";
import { maxMessageBytes } from "../../../kernel/protocol/message-limit.js";

const signer = createSigner("secret");
const ids = [Buffer.from("client-a"), Buffer.from("client-b")];

function signed(parts: string[], extra: Buffer[] = []): Buffer[] {
  const json = parts.map((p) => Buffer.from(p));
  return [...ids, Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(json)), ...json, ...extra];
}

const header = JSON.stringify({ msg_id: "m1", session: "s1", username: "u", date: "2024-01-01T00:00:00Z", msg_type: "execute_request", version: "5.3" });

describe("encodeMessage / decodeFrames", () => {
  it("round-trips identities, all four parts and buffers", () => {
    const message = newMessage("stream", { name: "stdout", text: "héllo 😀" }, "kernel-session", undefined, { m: 1 });
    message.buffers = [Buffer.from([1, 2, 3])];
    const frames = encodeMessage(message, signer, ids);
    expect(frames.slice(0, 3).map(String)).toEqual(["client-a", "client-b", "<IDS|MSG>"]);
    expect(frames[3].toString()).toMatch(/^[0-9a-f]{64}$/);
    const decoded = decodeFrames(frames, signer);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.identities.map(String)).toEqual(["client-a", "client-b"]);
    expect(decoded.message).toEqual({ ...message, header: message.header });
    expect(decoded.message.header).toMatchObject({ msg_type: "stream", session: "kernel-session", version: "5.3", username: "probebook" });
    expect(decoded.message.header.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("sets the parent header from the request", () => {
    const request = newMessage("execute_request", { code: "1" }, "client");
    const reply = newMessage("execute_reply", { status: "ok" }, "kernel", request.header);
    expect(reply.parent_header).toEqual(request.header);
    expect(reply.header.msg_id).not.toBe(request.header.msg_id);
  });

  it("rejects a bad signature before looking at the JSON", () => {
    const frames = signed([header, "{}", "{}", '{"code":"1"}']);
    frames[3] = Buffer.from("0".repeat(64));
    expect(decodeFrames(frames, signer)).toEqual({ ok: false, identities: ids, reason: "signature does not match the connection key" });
    const garbage = signed(["{not json", "{}", "{}", "{}"]);
    garbage[3] = Buffer.from("f".repeat(64));
    expect(decodeFrames(garbage, signer)).toMatchObject({ ok: false, reason: "signature does not match the connection key" });
  });

  it("names what is wrong with malformed frames", () => {
    const reason = (frames: Buffer[]) => {
      const d = decodeFrames(frames, signer);
      return d.ok ? "decoded" : d.reason;
    };
    expect(reason([Buffer.from("a"), Buffer.from("b")])).toBe('no "<IDS|MSG>" delimiter among 2 frames');
    expect(reason(signed([header, "{}", "{}"]))).toBe("expected signature, header, parent_header, metadata and content after the delimiter, got 4 frames");
    expect(reason(signed([header, "{}", "{}", "[1,2]"]))).toBe("content frame is JSON but not an object");
    expect(reason(signed([header, "nul", "{}", "{}"]))).toMatch(/^parent_header frame is not valid JSON/);
    expect(reason(signed(['{"msg_id":"m","session":"s"}', "{}", "{}", "{}"]))).toBe("header.msg_type is missing or not a non-empty string");
    expect(reason(signed(['{"msg_id":"m","session":"s","msg_type":"x","version":5}', "{}", "{}", "{}"]))).toBe("header.version is not a string");
    expect(reason(signed([header, "{}", "{}", "{}"]))).toBe("decoded");
  });

  it("accepts messages without identities (iopub-style) and keeps extra frames as buffers", () => {
    const json = [header, "{}", "{}", "{}"].map((p) => Buffer.from(p));
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(json)), ...json, Buffer.from("raw")];
    const decoded = decodeFrames(frames, signer);
    expect(decoded.ok && decoded.identities).toEqual([]);
    expect(decoded.ok && decoded.message.buffers.map(String)).toEqual(["raw"]);
  });
});

describe("decodeFrames: replays and size", () => {
  it("refuses a correctly signed message whose signature was seen before, and only that one", () => {
    const history = new DigestHistory();
    const frames = signed([header, "{}", "{}", '{"code":"1"}']);
    expect(decodeFrames(frames, signer, { history }).ok).toBe(true);
    expect(decodeFrames(frames, signer, { history })).toEqual({ ok: false, identities: ids, reason: "the signature was seen before: a replayed message" });
    // The same signature in upper case is the same digest.
    const shouted = [...frames];
    shouted[3] = Buffer.from(frames[3].toString().toUpperCase());
    expect(decodeFrames(shouted, signer, { history })).toMatchObject({ ok: false, reason: /replayed/ });
    const other = signed([header.replace('"m1"', '"m2"'), "{}", "{}", '{"code":"1"}']);
    expect(decodeFrames(other, signer, { history }).ok).toBe(true);
    expect(history.size).toBe(2);
  });

  it("does not remember bad signatures (they are refused before the history)", () => {
    const history = new DigestHistory();
    const frames = signed([header, "{}", "{}", '{"code":"1"}']);
    const forged = [...frames];
    forged[7] = Buffer.from('{"code":"2"}');
    expect(decodeFrames(forged, signer, { history })).toMatchObject({ ok: false, reason: "signature does not match the connection key" });
    expect(history.size).toBe(0);
    expect(decodeFrames(frames, signer, { history }).ok).toBe(true);
  });

  it("keeps no history when signing is off (every signature is the empty string)", () => {
    const off = createSigner("");
    const history = new DigestHistory();
    const json = [header, "{}", "{}", "{}"].map((p) => Buffer.from(p));
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(""), ...json];
    expect(decodeFrames(frames, off, { history }).ok).toBe(true);
    expect(decodeFrames(frames, off, { history }).ok).toBe(true);
    expect(history.size).toBe(0);
  });

  it("refuses a message over maxBytes (all frames counted), naming the limit and how to raise it", () => {
    const frames = signed([header, "{}", "{}", "{}"], [Buffer.alloc(600), Buffer.alloc(600)]);
    const total = frames.reduce((n, f) => n + f.length, 0);
    expect(decodeFrames(frames, signer, { maxBytes: total }).ok).toBe(true);
    expect(decodeFrames(frames, signer, { maxBytes: total - 1 })).toEqual({
      ok: false,
      identities: [],
      reason: `the message is ${total} bytes, over the kernel's limit of ${total - 1} bytes (set PROBEBOOK_MAX_MESSAGE_MB in the kernel's environment to raise it)`,
    });
  });
});

describe("maxMessageBytes", () => {
  it("is 32 MB by default, PROBEBOOK_MAX_MESSAGE_MB sets it, and nonsense is an error naming the variable", () => {
    expect(maxMessageBytes({})).toBe(32 * 1024 * 1024);
    expect(maxMessageBytes({ PROBEBOOK_MAX_MESSAGE_MB: "0.5" })).toBe(512 * 1024);
    expect(() => maxMessageBytes({ PROBEBOOK_MAX_MESSAGE_MB: "lots" })).toThrow(/PROBEBOOK_MAX_MESSAGE_MB="lots" is not a positive number of megabytes \(default 32\)/);
    expect(() => maxMessageBytes({ PROBEBOOK_MAX_MESSAGE_MB: "-1" })).toThrow(/not a positive number/);
  });
});
