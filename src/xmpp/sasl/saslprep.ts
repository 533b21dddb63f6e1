// SASLprep (RFC 4013) for usernames and passwords, as far as a device can carry it: the
// server prepares what it stored the same way, so both sides must agree on the bytes.
//
// Done: mapping (B.1 to nothing, non-ASCII spaces C.1.2 to U+0020), NFKC normalisation,
// and every prohibited table (C.1.2-C.9). Unassigned code points are allowed, as RFC 4013
// allows them in queries. Not done: the bidirectional check (RFC 3454 §6), whose tables
// would not fit in flash; a string it would reject is sent as it is, and the server refuses
// it. Firmware built without Unicode normalisation (`String.prototype.normalize` throws
// for non-ASCII text on XS without mxStringNormalize) sends non-ASCII text unnormalised,
// which still matches whenever it was typed in composed form, the usual case.

import { SASLError } from "./error.js";

// RFC 3454 B.1 (commonly mapped to nothing) and C.1.2 (non-ASCII spaces; U+200B is in B.1 as
// well, and B.1 wins). Made per call, never held at module level: on Moddable the module is
// preloaded into flash, where a RegExp's match state cannot live (test/node/preload.test.ts).
const mappedToNothing = () => /[\u00ad\u034f\u1806\u180b-\u180d\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff]/g;
const nonAsciiSpace = () => /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g;

// [first, last, what] for RFC 3454 C.2.1-C.9, in code points; C.1.2 is mapped away first.
const PROHIBITED: ReadonlyArray<readonly [number, number, string]> = [
  [0x0000, 0x001f, "a control character"], // C.2.1
  [0x007f, 0x009f, "a control character"], // C.2.1, C.2.2
  [0x0340, 0x0341, "a deprecated character"], // C.8
  [0x06dd, 0x06dd, "a control character"], // C.2.2
  [0x070f, 0x070f, "a control character"],
  [0x180e, 0x180e, "a control character"],
  [0x200c, 0x200f, "a control or direction character"], // C.2.2, C.8
  [0x2028, 0x2029, "a line or paragraph separator"], // C.2.2
  [0x202a, 0x202e, "a direction character"], // C.8
  [0x2060, 0x2063, "a control character"], // C.2.2
  [0x206a, 0x206f, "a control character"], // C.2.2, C.8
  [0x2ff0, 0x2ffb, "an ideographic description character"], // C.7
  [0xd800, 0xdfff, "an unpaired surrogate"], // C.5
  [0xe000, 0xf8ff, "a private-use character"], // C.3
  [0xfdd0, 0xfdef, "a non-character"], // C.4
  [0xfeff, 0xfeff, "a control character"], // C.2.2
  [0xfff9, 0xfffd, "a character inappropriate for plain text"], // C.2.2, C.6
  [0x1d173, 0x1d17a, "a control character"], // C.2.2
  [0xe0001, 0xe0001, "a tagging character"], // C.9
  [0xe0020, 0xe007f, "a tagging character"], // C.9
  [0xf0000, 0xffffd, "a private-use character"], // C.3
  [0x100000, 0x10fffd, "a private-use character"], // C.3
];

function prohibition(codePoint: number): string | undefined {
  if ((codePoint & 0xfffe) === 0xfffe) return "a non-character"; // C.4: U+xFFFE and U+xFFFF
  for (const [first, last, what] of PROHIBITED) if (codePoint >= first && codePoint <= last) return what;
  return undefined;
}

function normalise(text: string): string {
  try {
    return text.normalize("NFKC");
  } catch {
    return text; // built without normalisation tables: see the head of this file
  }
}

/**
 * Prepares `text` (the `role`, e.g. "password", names it in errors). Throws a SASLError
 * "invalid-credentials" giving the position and kind of a prohibited character, never the
 * character itself: it may be part of a password.
 */
export function saslprep(text: string, role: string): string {
  const prepared = /^[\x20-\x7e]*$/.test(text)
    ? text // printable ASCII: nothing to map, normalise or prohibit
    : normalise(text.replace(mappedToNothing(), "").replace(nonAsciiSpace(), " "));
  let position = 0;
  for (const char of prepared) {
    position++;
    const what = prohibition(char.codePointAt(0) as number);
    if (what !== undefined) {
      throw new SASLError("invalid-credentials", `the ${role} contains ${what} at character ${position}, which SASLprep (RFC 4013) forbids; choose a ${role} without it`);
    }
  }
  return prepared;
}
