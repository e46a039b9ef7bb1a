// HMAC signing of the four JSON frames (header, parent_header, metadata,
// content), keyed by the connection file's `key`. An empty key means the
// frontend does not sign, so neither do we; any signature is then accepted.
import { createHmac, timingSafeEqual } from "node:crypto";

export interface Signer {
  /** False when the key is empty: nothing is signed, so there is no signature to check for replays. */
  readonly signs: boolean;
  /** Hex digest over the frames, or "" when signing is off. */
  sign(frames: readonly Buffer[]): string;
  /** Constant-time check of a received hex signature. */
  verify(signature: Buffer, frames: readonly Buffer[]): boolean;
}

/** Maps Jupyter's scheme names ("hmac-sha256") to node:crypto digests. */
function digestOf(scheme: string): string {
  const match = /^hmac-([a-z0-9-]+)$/i.exec(scheme);
  if (!match) {
    throw new Error(
      `unsupported signature_scheme "${scheme}" in the connection file: expected "hmac-<digest>", e.g. "hmac-sha256"`,
    );
  }
  return match[1].toLowerCase();
}

export function createSigner(key: string, signatureScheme = "hmac-sha256"): Signer {
  if (key === "") {
    return { signs: false, sign: () => "", verify: () => true };
  }
  const digest = digestOf(signatureScheme);
  // Fail now, with the scheme in the message, rather than on the first message.
  try {
    createHmac(digest, key);
  } catch {
    throw new Error(`signature_scheme "${signatureScheme}" names a digest this Node.js build does not provide`);
  }
  const mac = (frames: readonly Buffer[]) => {
    const hmac = createHmac(digest, key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest();
  };
  return {
    signs: true,
    sign: (frames) => mac(frames).toString("hex"),
    verify: (signature, frames) => {
      const expected = mac(frames);
      // A hex string that is not exactly our digest's length can't match; decoding
      // it anyway keeps the comparison below on equal-length buffers.
      const text = signature.toString("latin1");
      if (text.length !== expected.length * 2 || !/^[0-9a-f]*$/i.test(text)) return false;
      return timingSafeEqual(Buffer.from(text, "hex"), expected);
    },
  };
}
