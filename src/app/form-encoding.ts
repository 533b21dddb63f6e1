// An HTML form's submission as browsers send it (application/x-www-form-urlencoded, WHATWG URL
// standard): name=value pairs split on "&", "+" for a space, %XX for each UTF-8 byte.

import { decodeUtf8, encodeUtf8 } from "../xml/utf8.js";

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Decodes one name or value; a "%" not followed by two hex digits stays as it is (as browsers do). */
export function decodeFormComponent(text: string): string {
  if (!/[%+]/.test(text)) return text;
  // Walked as bytes: indexing a typed array is constant time on XS, charCodeAt(i) is not.
  const bytes = encodeUtf8(text);
  const out = new Uint8Array(bytes.length);
  let at = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0x2b) out[at++] = 0x20;
    else if (byte === 0x25 && i + 2 < bytes.length && hexDigit(bytes[i + 1]!) >= 0 && hexDigit(bytes[i + 2]!) >= 0) {
      out[at++] = hexDigit(bytes[i + 1]!) * 16 + hexDigit(bytes[i + 2]!);
      i += 2;
    } else out[at++] = byte;
  }
  return decodeUtf8(out.subarray(0, at));
}

/** The submitted fields, each name with its values in order. */
export function decodeForm(body: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeFormComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? "" : decodeFormComponent(pair.slice(equals + 1));
    const values = fields.get(name);
    if (values) values.push(value);
    else fields.set(name, [value]);
  }
  return fields;
}
