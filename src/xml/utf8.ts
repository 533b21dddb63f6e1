// Strict UTF-8 (RFC 3629) for the core, which cannot count on TextEncoder/TextDecoder on XS: an
// incremental decoder for network bytes split anywhere, one-shot encode (the host's encoder where
// there is one) and decode, and the sequence reader the stream parser validates with.

/** Bytes that are not UTF-8. A SyntaxError, so callers that catch those keep working. */
export class Utf8Error extends SyntaxError {
  // A field, not an assignment: on XS the preloaded Error.prototype is frozen (override mistake).
  override readonly name: string = "Utf8Error";
  /** What is wrong, e.g. "a continuation byte with no lead byte (0x80)". */
  readonly reason: string;
  /** Offset of the offending byte, counted from the first byte the decoder was given. */
  readonly offset: number;
  /** The text decoded before the offending character, in the call that failed. */
  readonly decoded: string;

  constructor(reason: string, offset: number, decoded: string) {
    super(`not UTF-8: ${reason} at byte ${offset}`);
    this.reason = reason;
    this.offset = offset;
    this.decoded = decoded;
  }
}

/** `readSequence`: the bytes end inside a character that is valid so far. */
export const INCOMPLETE = -1;
/** `readSequence`: not UTF-8 (see `explainInvalid`). */
export const INVALID = -2;

/**
 * Reads the multi-byte sequence whose lead byte is at `i` (a byte of 0x80 or more, before `end`), rejecting
 * overlong forms, encoded surrogates and values past U+10FFFF. Returns `codePoint * 8 + length`,
 * or INCOMPLETE, or INVALID.
 */
export function readSequence(bytes: Uint8Array, i: number, end: number = bytes.length): number {
  const lead = bytes[i];
  let length: number;
  let codePoint: number;
  // The range the next continuation byte must be in: narrower right after some lead bytes,
  // which is how the forms that are not UTF-8 are refused (as WHATWG's decoder does).
  let lower = 0x80;
  let upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    codePoint = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    codePoint = lead & 0x0f;
    if (lead === 0xe0) lower = 0xa0; // below: overlong
    else if (lead === 0xed) upper = 0x9f; // above: a surrogate half
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    codePoint = lead & 0x07;
    if (lead === 0xf0) lower = 0x90; // below: overlong
    else if (lead === 0xf4) upper = 0x8f; // above: past U+10FFFF
  } else {
    return INVALID;
  }
  for (let k = 1; k < length; k++) {
    if (i + k >= end) return INCOMPLETE;
    const byte = bytes[i + k];
    if (byte < lower || byte > upper) return INVALID;
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (byte & 0x3f);
  }
  return codePoint * 8 + length;
}

/** Why the sequence at `i` is INVALID, and the index of the byte that shows it. */
export function explainInvalid(bytes: Uint8Array, i: number): { reason: string; at: number } {
  const lead = bytes[i];
  if (lead < 0xc0) return { reason: `a continuation byte with no lead byte (0x${hex(lead)})`, at: i };
  if (lead < 0xc2) return { reason: `an overlong lead byte (0x${hex(lead)})`, at: i };
  if (lead > 0xf4) return { reason: `a byte that never occurs in UTF-8 (0x${hex(lead)})`, at: i };
  let at = i + 1;
  while (at < bytes.length && readSequence(bytes, i, at + 1) === INCOMPLETE) at++;
  const byte = bytes[at];
  const reason =
    (byte & 0xc0) === 0x80
      ? `an overlong form, a surrogate or a value past U+10FFFF (0x${hex(lead)} 0x${hex(byte)})`
      : `a character cut short by 0x${hex(byte)}`;
  return { reason, at };
}

// String.fromCharCode.apply puts every unit on the stack, and XS stacks on a device are small
// (a few hundred slots), so units are turned into text a few at a time.
const BATCH = 32;

/**
 * Decodes bytes[start, end) to pieces of text, pushed onto `pieces`. Returns `end` when all were
 * decoded, or the index of the first character that is incomplete or invalid.
 */
function decodeInto(bytes: Uint8Array, start: number, end: number, pieces: string[]): number {
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const byte = bytes[i];
    if (byte < 0x80) {
      // A run of ASCII goes to text straight from the bytes.
      let stop = i + 1;
      while (stop < end && bytes[stop] < 0x80) stop++;
      if (units.length > 0) pieces.push(takeUnits(units));
      for (let from = i; from < stop; from += BATCH) {
        pieces.push(String.fromCharCode.apply(null, bytes.subarray(from, Math.min(from + BATCH, stop)) as unknown as number[]));
      }
      i = stop;
      continue;
    }
    const read = readSequence(bytes, i, end);
    if (read < 0) break;
    const codePoint = read >> 3;
    if (codePoint < 0x10000) {
      units.push(codePoint);
    } else {
      const c = codePoint - 0x10000;
      units.push(0xd800 | (c >> 10), 0xdc00 | (c & 0x3ff));
    }
    if (units.length >= BATCH) pieces.push(takeUnits(units));
    i += read & 7;
  }
  if (units.length > 0) pieces.push(takeUnits(units));
  return i;
}

function takeUnits(units: number[]): string {
  const text = String.fromCharCode.apply(null, units);
  units.length = 0;
  return text;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/**
 * Decodes a UTF-8 byte stream given in chunks split anywhere, including inside a character: the
 * bytes of a split character are held until the rest arrives. After an error, `reset()` before
 * decoding again.
 */
export class Utf8Decoder {
  #held: Uint8Array | undefined; // the start of a character split across chunks
  #offset = 0; // bytes decoded before the held ones

  /** True while the bytes of a character split across chunks are held. */
  get pending(): boolean {
    return this.#held !== undefined;
  }

  /** Decodes one chunk; throws a `Utf8Error` carrying the text decoded before the fault. */
  decode(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.#held) {
      bytes = new Uint8Array(this.#held.length + chunk.length);
      bytes.set(this.#held);
      bytes.set(chunk, this.#held.length);
      this.#held = undefined;
    }
    const pieces: string[] = [];
    const stop = decodeInto(bytes, 0, bytes.length, pieces);
    const text = pieces.length === 1 ? pieces[0] : pieces.join("");
    if (stop < bytes.length && readSequence(bytes, stop) === INVALID) {
      const { reason, at } = explainInvalid(bytes, stop);
      throw new Utf8Error(reason, this.#offset + at, text);
    }
    if (stop < bytes.length) this.#held = bytes.slice(stop);
    this.#offset += stop;
    return text;
  }

  /** Forgets any held bytes and restarts the offset count. */
  reset(): void {
    this.#held = undefined;
    this.#offset = 0;
  }
}

/** Decodes a complete UTF-8 text; throws a `Utf8Error` on any fault, a truncated end included. */
export function decodeUtf8(bytes: Uint8Array): string {
  const pieces: string[] = [];
  const stop = decodeInto(bytes, 0, bytes.length, pieces);
  const text = pieces.length === 1 ? pieces[0] : pieces.join("");
  if (stop === bytes.length) return text;
  if (readSequence(bytes, stop) === INCOMPLETE) throw new Utf8Error("the text ends inside a character", bytes.length, text);
  const { reason, at } = explainInvalid(bytes, stop);
  throw new Utf8Error(reason, at, text);
}

// The host's encoder, where there is one: XS's ArrayBuffer.fromString copies the string's own
// UTF-8 (XS stores strings as UTF-8), TextEncoder is native on Node and xsnap. Either runs in
// time linear in the text; a walk with charCodeAt(i) does not on XS (each call costs i).
type NativeEncode = (text: string) => Uint8Array;
const fromString = (ArrayBuffer as unknown as { fromString?: (text: string) => ArrayBuffer }).fromString;
const TextEncoderClass = (globalThis as unknown as { TextEncoder?: new () => { encode(text: string): Uint8Array } }).TextEncoder;
const nativeEncode: NativeEncode | undefined =
  typeof fromString === "function"
    ? (text) => new Uint8Array(fromString.call(ArrayBuffer, text)) // it constructs its `this`: unbound, it throws "not a constructor"
    : typeof TextEncoderClass === "function"
      ? (text) => new TextEncoderClass().encode(text)
      : undefined;

/** Encodes text as UTF-8; an unpaired surrogate becomes U+FFFD, as TextEncoder does. */
export function encodeUtf8(text: string): Uint8Array {
  if (nativeEncode === undefined) return encodeUtf8Portably(text);
  const bytes = nativeEncode(text);
  // Made here, not at module level (see the preload notes); a native scan of the text, which
  // the meter counts at a twelfth of the typed array's indexOf over the bytes.
  return /[\ud800-\udfff]/u.test(text) ? repairSurrogates(bytes) : bytes;
}

/**
 * The encoder for engines with no native one: one pass over the code points with the string
 * iterator (linear on XS, unlike indexing), into room for the most bytes the text can take.
 */
export function encodeUtf8Portably(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 3); // a UTF-16 unit is at most 3 bytes; a pair of them 4
  let at = 0;
  for (const character of text) {
    const c = character.codePointAt(0) as number;
    at = writeCodePoint(bytes, at, c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return at === bytes.length ? bytes : bytes.slice(0, at);
}

/**
 * XS keeps an unpaired surrogate in its strings as the three bytes ED A0..BF xx, and its
 * ArrayBuffer.fromString and TextEncoder copy them out as they are (xsnap 0.15, Moddable 8.2):
 * those bytes are not UTF-8, and a peer would end the stream on them. Each becomes U+FFFD (EF BF
 * BD, also three bytes), or, for a high and a low half side by side, the character they make.
 * The search is the typed array's native indexOf: ED is rare (Hangul U+D000-D7FF starts with it).
 */
export function repairSurrogates(bytes: Uint8Array): Uint8Array {
  let at = bytes.indexOf(0xed);
  if (at < 0) return bytes;
  let out: Uint8Array | undefined;
  let written = 0; // bytes of `out` filled, when there is one
  let copied = 0; // bytes of `bytes` already copied into `out`
  while (at >= 0 && at + 2 < bytes.length) {
    const second = bytes[at + 1];
    if (second < 0xa0) {
      at = bytes.indexOf(0xed, at + 1);
      continue;
    }
    if (!out) out = new Uint8Array(bytes.length);
    out.set(bytes.subarray(copied, at), written);
    written += at - copied;
    const high = second < 0xb0; // ED A0-AF: U+D800-DBFF
    const next = at + 3;
    if (high && next + 2 < bytes.length && bytes[next] === 0xed && bytes[next + 1] >= 0xb0) {
      const h = 0xd800 + ((second & 0x0f) << 6) + (bytes[at + 2] & 0x3f);
      const l = 0xdc00 + ((bytes[next + 1] & 0x0f) << 6) + (bytes[next + 2] & 0x3f);
      written = writeCodePoint(out, written, 0x10000 + ((h - 0xd800) << 10) + (l - 0xdc00));
      copied = next + 3;
    } else {
      written = writeCodePoint(out, written, 0xfffd);
      copied = next;
    }
    at = bytes.indexOf(0xed, copied);
  }
  if (!out) return bytes;
  out.set(bytes.subarray(copied), written);
  written += bytes.length - copied;
  return written === out.length ? out : out.slice(0, written);
}

/** Writes one code point as UTF-8 at `at`; returns the index after it. */
export function writeCodePoint(bytes: Uint8Array, at: number, c: number): number {
  if (c < 0x80) {
    bytes[at++] = c;
  } else if (c < 0x800) {
    bytes[at++] = 0xc0 | (c >> 6);
    bytes[at++] = 0x80 | (c & 0x3f);
  } else if (c < 0x10000) {
    bytes[at++] = 0xe0 | (c >> 12);
    bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
    bytes[at++] = 0x80 | (c & 0x3f);
  } else {
    bytes[at++] = 0xf0 | (c >> 18);
    bytes[at++] = 0x80 | ((c >> 12) & 0x3f);
    bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
    bytes[at++] = 0x80 | (c & 0x3f);
  }
  return at;
}
