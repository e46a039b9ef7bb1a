import { describe, expect, it } from "vitest";
import { createSigner } from "../../../kernel/protocol/signing.js";
import { decodeFrames, encodeMessage, newMessage } from "../../../kernel/protocol/wire.js";

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
