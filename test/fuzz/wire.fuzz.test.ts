// Property-based fuzzing of the wire decoder (kernel/protocol/wire.ts) and the
// request validator (kernel/protocol/validate.ts) with fast-check. Every input
// is untrusted bytes or JSON from the network: the decoder must answer with a
// message or a reason, never throw; the validator must return typed content or
// throw its own ContentError, nothing else. Case counts are stated per
// property; the seed is printed by fast-check when a property fails.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DigestHistory } from "../../kernel/protocol/digest-history.js";
import { createSigner } from "../../kernel/protocol/signing.js";
import { ContentError, isKnownRequestType, readContent } from "../../kernel/protocol/validate.js";
import { decodeFrames, encodeMessage } from "../../kernel/protocol/wire.js";
import type { RequestType } from "../../kernel/protocol/messages.js";

export const CASES = 3000;
const signer = createSigner("fuzz-key");
const DELIM = Buffer.from("<IDS|MSG>");

const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
/** JSON text: valid values of every shape, and broken or hostile text. */
const jsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.constantFrom("{", "[", '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}', "null", "1e999", '"\\ud800"', "[".repeat(5000)),
);
const headerText = fc
  .record(
    {
      msg_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      msg_type: fc.oneof(fc.constantFrom("execute_request", "kernel_info_request", "__proto__", "constructor", "toString", ""), fc.string()),
      session: fc.oneof(fc.string(), fc.boolean()),
      username: fc.oneof(fc.string(), fc.integer()),
      date: fc.oneof(fc.string(), fc.constant([])),
      version: fc.oneof(fc.constant("5.3"), fc.integer()),
    },
    { requiredKeys: [] },
  )
  .map((h) => JSON.stringify(h));

function signedFrames(identities: Buffer[], parts: string[], buffers: Buffer[]): Buffer[] {
  const json = parts.map((p) => Buffer.from(p));
  return [...identities, DELIM, Buffer.from(signer.sign(json)), ...json, ...buffers];
}

/** What every decode result must look like. */
function checkResult(result: ReturnType<typeof decodeFrames>) {
  if (!result.ok) {
    expect(typeof result.reason).toBe("string");
    expect(result.reason.length).toBeGreaterThan(0);
    return;
  }
  const h = result.message.header;
  for (const key of ["msg_id", "msg_type", "session", "username", "date", "version"] as const) expect(typeof h[key]).toBe("string");
  expect(h.msg_id).not.toBe("");
  for (const part of [result.message.parent_header, result.message.metadata, result.message.content]) {
    expect(typeof part === "object" && part !== null && !Array.isArray(part)).toBe(true);
  }
}

describe("decodeFrames under fuzzing", () => {
  it(`never throws on arbitrary frames (${CASES} cases), with or without a delimiter`, () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(bytes, fc.constant(DELIM)), { maxLength: 12 }), (frames) => {
        checkResult(decodeFrames(frames, signer, { history: new DigestHistory() }));
      }),
      { numRuns: CASES },
    );
  });

  it(`never throws on correctly signed frames holding arbitrary JSON text (${CASES} cases): the parser and header checks see hostile input`, () => {
    fc.assert(
      fc.property(
        fc.array(bytes, { maxLength: 3 }),
        fc.oneof(headerText, jsonText),
        jsonText,
        jsonText,
        jsonText,
        fc.array(bytes, { maxLength: 3 }),
        (ids, header, parent, metadata, content, buffers) => {
          const result = decodeFrames(signedFrames(ids, [header, parent, metadata, content], buffers), signer);
          checkResult(result);
          // Parsing JSON from the wire must not pollute prototypes.
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(({} as Record<string, unknown>).x).toBeUndefined();
        },
      ),
      { numRuns: CASES },
    );
  });

  it(`round-trips every JSON message it encodes, and refuses it replayed (${CASES} cases)`, () => {
    const obj = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), obj, obj, fc.array(bytes, { maxLength: 2 }), (id, type, session, metadata, content, buffers) => {
        const message = { header: { msg_id: id, msg_type: type, session, username: "u", date: "d", version: "5.3" }, parent_header: {}, metadata, content, buffers };
        const history = new DigestHistory();
        const frames = encodeMessage(message, signer, [Buffer.from("peer")]);
        const decoded = decodeFrames(frames, signer, { history });
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(JSON.stringify(decoded.message)).toBe(JSON.stringify(message));
        expect(decodeFrames(frames, signer, { history })).toMatchObject({ ok: false, reason: /replayed/ });
      }),
      { numRuns: CASES },
    );
  });

  it(`never accepts a signed message with one byte changed (${CASES} cases)`, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (value, where, flip) => {
        const message = { header: { msg_id: "m", msg_type: "execute_request", session: "s", username: "u", date: "d", version: "5.3" }, parent_header: {}, metadata: {}, content: { value }, buffers: [] };
        const frames = encodeMessage(message, signer);
        // Flip a byte in one of the four signed frames (1..4 after the signature).
        const signed = frames.slice(2, 6);
        const total = signed.reduce((n, f) => n + f.length, 0);
        let at = where % total;
        const i = signed.findIndex((f) => (at < f.length ? true : ((at -= f.length), false)));
        const altered = frames.map((f) => Buffer.from(f));
        altered[2 + i][at] ^= flip;
        expect(decodeFrames(altered, signer)).toMatchObject({ ok: false, reason: "signature does not match the connection key" });
      }),
      { numRuns: CASES },
    );
  });
});

const REQUEST_TYPES: RequestType[] = [
  "execute_request", "complete_request", "inspect_request", "is_complete_request", "history_request", "kernel_info_request",
  "comm_info_request", "comm_open", "comm_msg", "comm_close", "interrupt_request", "shutdown_request", "input_reply",
];
/** Content objects with the requests' real keys holding values of every JSON type. */
const KEYS = ["code", "silent", "store_history", "user_expressions", "allow_stdin", "stop_on_error", "cursor_pos", "detail_level", "hist_access_type",
  "output", "raw", "n", "session", "start", "stop", "pattern", "unique", "target_name", "comm_id", "data", "restart", "value", "__proto__", "constructor"];
const content = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom("tail", "range", "search")), { maxKeys: 8 });

describe("the request validator under fuzzing", () => {
  it(`returns typed content or throws ContentError for every request type (${CASES} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...REQUEST_TYPES), content, (type, c) => {
        // As the decoder would hand it over: parsed from JSON text.
        const parsed = JSON.parse(JSON.stringify(c));
        try {
          const typed = readContent(type, parsed) as Record<string, unknown>;
          accepted++;
          if (type === "execute_request") {
            expect(typeof typed.code).toBe("string");
            expect(typeof typed.silent).toBe("boolean");
            if (typed.silent) expect(typed.store_history).toBe(false);
          }
          if (type === "complete_request" || type === "inspect_request") expect(Number.isInteger(typed.cursor_pos) && (typed.cursor_pos as number) >= 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ContentError);
        }
      }),
      { numRuns: CASES },
    );
    // The generator reaches valid content too, not only errors.
    expect(accepted).toBeGreaterThan(CASES / 20);
  });

  it(`knows only its own request types: no inherited name (__proto__, toString, ...) counts (${CASES} cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf")), (name) => {
        expect(isKnownRequestType(name)).toBe((REQUEST_TYPES as string[]).includes(name));
      }),
      { numRuns: CASES },
    );
  });
});
