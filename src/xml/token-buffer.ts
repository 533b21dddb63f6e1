// The bytes of one token (a name, an attribute value, a run of text) as the stream parser
// collects them from chunks, turned into text once the token is complete. Collecting bytes
// rather than pieces of text keeps memory at the token's size however finely the stream is cut.

import { decodeUtf8, writeCodePoint } from "./utf8.js";

const INITIAL_CAPACITY = 64;
// Beyond this, the storage of a finished token is let go rather than kept for the next one.
const KEPT_CAPACITY = 1024;
// Tokens up to this length may become text in one String.fromCharCode call (XS puts each
// argument on a small stack, so not more).
const SHORT = 32;

export class TokenBuffer {
  #bytes = new Uint8Array(INITIAL_CAPACITY);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends bytes[start, end), which must be whole UTF-8 characters. */
  append(bytes: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.#reserve(end - start);
    this.#bytes.set(bytes.subarray(start, end), this.#length);
    this.#length += end - start;
  }

  /** Appends an ASCII character `count` times. */
  appendAscii(byte: number, count = 1): void {
    this.#reserve(count);
    this.#bytes.fill(byte, this.#length, this.#length + count);
    this.#length += count;
  }

  appendCodePoint(codePoint: number): void {
    this.#reserve(4);
    this.#length = writeCodePoint(this.#bytes, this.#length, codePoint);
  }

  /** Takes back the last `count` bytes. */
  truncate(count: number): void {
    this.#length = Math.max(0, this.#length - count);
  }

  /** The token as text; the buffer is empty afterwards. */
  take(): string {
    const text = shortAsciiText(this.#bytes, 0, this.#length) ?? decodeUtf8(this.#bytes.subarray(0, this.#length));
    this.clear();
    return text;
  }

  clear(): void {
    this.#length = 0;
    if (this.#bytes.length > KEPT_CAPACITY) this.#bytes = new Uint8Array(INITIAL_CAPACITY);
  }

  #reserve(more: number): void {
    const needed = this.#length + more;
    if (needed <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const bytes = new Uint8Array(capacity);
    bytes.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bytes;
  }
}

/** bytes[start, end) as text when short and ASCII (most names and values): one call makes it. */
export function shortAsciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > SHORT) return undefined;
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return undefined;
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
