// The server's two SCRAM messages (RFC 5802 §7), parsed and checked: everything a server (or
// an impostor) sends that the exchange must refuse before any key is computed with it.

import { decodeUtf8 } from "../../xml/utf8.js";
import { decodeBase64 } from "./base64.js";
import { SASLError } from "./error.js";

/** RFC 5802 §7 `printable`: what a nonce is made of (no ","). */
export const PRINTABLE = () => /^[\x21-\x2b\x2d-\x7e]+$/;

export interface ServerFirst {
  /** The client's nonce with the server's appended. */
  nonce: string;
  salt: Uint8Array;
  iterations: number;
}

export interface IterationLimits {
  minIterations: number;
  maxIterations: number;
}

export function invalid(text: string): SASLError {
  return new SASLError("invalid-server-message", text);
}

export function quote(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 97)}...` : text);
}

/** Splits `a=1,b=2` into its attributes (RFC 5802 §5.1); the first of a repeated one wins. */
function attributes(bytes: Uint8Array, message: string): Map<string, string> {
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch (error) {
    throw invalid(`the server's ${message} is not UTF-8 (${(error as Error).message})`);
  }
  const found = new Map<string, string>();
  for (const part of text.split(",")) {
    if (part.length < 2 || part[1] !== "=" || !/[a-zA-Z]/.test(part[0])) {
      throw invalid(`the server's ${message} ${quote(text)} is malformed: ${quote(part)} is not an attribute (a letter, "=", a value)`);
    }
    if (!found.has(part[0])) found.set(part[0], part.slice(2));
  }
  return found;
}

function base64(text: string, what: string): Uint8Array {
  try {
    return decodeBase64(text);
  } catch (error) {
    throw invalid(`the server's ${what} is ${(error as Error).message}`);
  }
}

function iterations(count: string, { minIterations, maxIterations }: IterationLimits): number {
  if (!/^[1-9][0-9]*$/.test(count)) throw invalid(`the server's iteration count ${quote(count)} is not a positive whole number`);
  const iterations = Number(count);
  if (iterations < minIterations) {
    throw invalid(`the server asks for only ${count} SCRAM iterations, fewer than the ${minIterations} required, which would make the password cheap to guess from a captured exchange; raise the server's iteration count`);
  }
  if (iterations > maxIterations) {
    throw invalid(`the server asks for ${count} SCRAM iterations, more than the ${maxIterations} this device computes in reasonable time; lower the server's iteration count`);
  }
  return iterations;
}

/** Parses server-first-message, checking that its nonce extends `clientNonce`. */
export function parseServerFirst(bytes: Uint8Array, clientNonce: string, limits: IterationLimits): ServerFirst {
  const found = attributes(bytes, "first message");
  if (found.has("m")) throw invalid("the server requires a SCRAM extension (m=) that this client does not know");
  const nonce = found.get("r");
  const salt = found.get("s");
  const count = found.get("i");
  if (nonce === undefined) throw invalid("the server's first message has no nonce (r=)");
  if (salt === undefined) throw invalid("the server's first message has no salt (s=)");
  if (count === undefined) throw invalid("the server's first message has no iteration count (i=)");
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length || !PRINTABLE().test(nonce)) {
    throw invalid(`the server's nonce ${quote(nonce)} does not extend the client's nonce ${quote(clientNonce)} with printable characters of its own`);
  }
  const saltBytes = base64(salt, "salt");
  if (saltBytes.length === 0) throw invalid("the server's salt is empty");
  return { nonce, salt: saltBytes, iterations: iterations(count, limits) };
}

/** Parses server-final-message into the server's signature; throws on an error (e=). */
export function parseServerFinal(bytes: Uint8Array, mechanism: string): Uint8Array {
  const found = attributes(bytes, "final message");
  const error = found.get("e");
  if (error !== undefined) {
    // RFC 5802 §7 server-error values; these two mean the credentials were refused.
    const refused = error === "invalid-proof" || error === "unknown-user";
    throw new SASLError(refused ? "not-authorized" : "server-error", `the server ended the ${mechanism} exchange with the error ${quote(error)}`);
  }
  const signature = found.get("v");
  if (signature === undefined) throw invalid("the server's final message has neither a signature (v=) nor an error (e=)");
  return base64(signature, "signature");
}
