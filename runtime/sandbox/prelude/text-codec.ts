// isolated-vm contexts are bare V8: no TextEncoder/TextDecoder. arquero's
// Arrow layer (flechette) builds one of each when it loads, so the prelude
// provides small UTF-8-only versions before arquero is evaluated.

class Utf8Encoder {
  readonly encoding = "utf-8";

  encode(input = ""): Uint8Array {
    const bytes: number[] = [];
    for (const char of String(input)) {
      const code = char.codePointAt(0)!;
      if (code < 0x80) bytes.push(code);
      else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
      else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    }
    return new Uint8Array(bytes);
  }
}

class Utf8Decoder {
  readonly encoding = "utf-8";

  constructor(label = "utf-8") {
    if (!/^utf-?8$/i.test(label)) throw new RangeError(`TextDecoder in the sandbox only decodes UTF-8, not "${label}"`);
  }

  decode(input?: ArrayBufferView | ArrayBuffer): string {
    if (input === undefined) return "";
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let out = "";
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i++]!;
      let code: number;
      if (b < 0x80) code = b;
      else if (b >= 0xf0) code = ((b & 7) << 18) | ((bytes[i++]! & 63) << 12) | ((bytes[i++]! & 63) << 6) | (bytes[i++]! & 63);
      else if (b >= 0xe0) code = ((b & 15) << 12) | ((bytes[i++]! & 63) << 6) | (bytes[i++]! & 63);
      else if (b >= 0xc0) code = ((b & 31) << 6) | (bytes[i++]! & 63);
      else code = 0xfffd;
      out += String.fromCodePoint(code);
    }
    return out;
  }
}

const g = globalThis as Record<string, unknown>;
g.TextEncoder ??= Utf8Encoder;
g.TextDecoder ??= Utf8Decoder;
