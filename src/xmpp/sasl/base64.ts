// Base64 (RFC 4648 §4) for SASL payloads: XMPP carries every challenge and response as
// base64 text, and SCRAM nests base64 inside them (salt, proof, signature).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Character code -> 6-bit value, -1 outside the alphabet.
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  let text = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    text += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = bytes[i] << 16;
    text += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
  } else if (left === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    text += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
  }
  return text;
}

/**
 * Decodes canonical base64 only: no whitespace, no missing or extra padding, no bits set
 * after the last byte. Whatever a peer sends that is not exactly that is refused rather than
 * guessed at, because the bytes feed a signature check. Throws a SyntaxError that says where.
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new SyntaxError(`not valid base64: its length, ${text.length}, is not a multiple of 4 (is padding missing?)`);
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const end = text.length - padding;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let bits = 0;
  let count = 0;
  let out = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? VALUES[code] : -1;
    if (value < 0) {
      const what = code === 61 ? `padding "=" before the end` : `the character ${JSON.stringify(text[i])}, outside the base64 alphabet,`;
      throw new SyntaxError(`not valid base64: ${what} at position ${i}`);
    }
    bits = ((bits << 6) | value) & 0xfff; // never more than 12 undecoded bits
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes[out++] = (bits >> count) & 255;
    }
  }
  if ((bits & ((1 << count) - 1)) !== 0) {
    throw new SyntaxError("not valid base64: the last character has bits set beyond the encoded bytes (not canonical)");
  }
  return bytes;
}
