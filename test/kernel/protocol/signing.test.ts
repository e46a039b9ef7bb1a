import { describe, expect, it } from "vitest";
import { createSigner } from "../../../kernel/protocol/signing.js";

// Vectors computed with jupyter_client.session.Session(key=..., signature_scheme=...).sign(parts)
const FRAMES = ['{"msg_id":"m1","msg_type":"kernel_info_request"}', "{}", "{}", "{}"].map((s) => Buffer.from(s));
const SHA256 = "ef186e0994f84d929829e6ed5df1514c75ae805a8aabde53a0fc0ad05fc5c104";
const SHA512 =
  "257e4d4782421cddd87e68d6da4abe9f952f499351cb63f0c93c4769f1c54671050f495d3ccb3c7ffd907ca63a68447df1c3c6ce2490d0d0ec37dfbab040e136";

describe("createSigner", () => {
  it("signs exactly as jupyter_client does", () => {
    expect(createSigner("probebook-test-key", "hmac-sha256").sign(FRAMES)).toBe(SHA256);
    expect(createSigner("k", "hmac-sha512").sign(["a", "b", "c", "d"].map((s) => Buffer.from(s)))).toBe(SHA512);
  });

  it("verifies a good signature, upper-case hex included, and rejects others", () => {
    const signer = createSigner("probebook-test-key");
    expect(signer.verify(Buffer.from(SHA256), FRAMES)).toBe(true);
    expect(signer.verify(Buffer.from(SHA256.toUpperCase()), FRAMES)).toBe(true);
    expect(signer.verify(Buffer.from(SHA256.replace(/^e/, "f")), FRAMES)).toBe(false);
    expect(signer.verify(Buffer.from(SHA256.slice(0, 62)), FRAMES)).toBe(false);
    expect(signer.verify(Buffer.from(SHA256 + "00"), FRAMES)).toBe(false);
    expect(signer.verify(Buffer.from(""), FRAMES)).toBe(false);
    expect(signer.verify(Buffer.from("z".repeat(64)), FRAMES)).toBe(false);
    // Same signature over different content fails.
    expect(signer.verify(Buffer.from(SHA256), [...FRAMES.slice(0, 3), Buffer.from('{"code":"x"}')])).toBe(false);
  });

  it("does not sign with an empty key, and accepts anything then", () => {
    const signer = createSigner("");
    expect(signer.sign(FRAMES)).toBe("");
    expect(signer.verify(Buffer.from("whatever"), FRAMES)).toBe(true);
  });

  it("refuses unknown signature schemes with a message naming them", () => {
    expect(() => createSigner("k", "rsa-sha256")).toThrow(/unsupported signature_scheme "rsa-sha256".*hmac-sha256/);
    expect(() => createSigner("k", "hmac-nosuchdigest")).toThrow(/"hmac-nosuchdigest" names a digest this Node.js build does not provide/);
  });
});
