// A check of the Moddable host's cryptography on the SDK itself (run by test/sim/crypto.test.ts
// in mcsim): its SHA-1, SHA-256 and HMAC against published vectors, inputs given as views into
// larger buffers, and the core's PBKDF2 over that HMAC (SCRAM's salted password) against RFC 6070
// and the common PBKDF2-HMAC-SHA-256 vector, timing the 4,096 iterations. One trace line per
// check, "selftest ok <name>" or "selftest FAIL <name>: ...", then "selftest done <failures>".

import { Digest } from "crypt";
import HMAC from "hmac";
import Time from "time";
import { pbkdf2 } from "../../../src/xmpp/sasl/pbkdf2.js";
import { createModdableHost } from "../host.js";

const text = (value: string) => Uint8Array.from(value, (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
let failures = 0;

// Made when the test runs, not in the module body: this module is preloaded, and a Map made at
// preload time (the host's HMAC cache) is in flash and cannot change.
let host: ReturnType<typeof createModdableHost>;

function check(name: string, got: Uint8Array, expected: string): void {
  if (hex(got) === expected) trace(`selftest ok ${name}\n`);
  else {
    failures++;
    trace(`selftest FAIL ${name}: got ${hex(got)}, expected ${expected}\n`);
  }
}

/** `bytes` as a view in the middle of a larger buffer, as the stream's code hands them over. */
function view(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 7);
  buffer.set(bytes, 3);
  return buffer.subarray(3, 3 + bytes.length);
}

export default function selftest(): void {
  host = createModdableHost({ ca: new ArrayBuffer(0) });
  check("sha1 abc", host.digest("SHA-1", text("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  check("sha256 abc", host.digest("SHA-256", view(text("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 2202 test case 2 and RFC 4231 test case 2.
  check("hmac-sha1 rfc2202", host.hmac("SHA-1", text("Jefe"), text("what do ya want for nothing?")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  check("hmac-sha256 rfc4231", host.hmac("SHA-256", view(text("Jefe")), view(text("what do ya want for nothing?"))), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // The same key again (the cached HMAC), then another key: each answer must be its own.
  check("hmac-sha256 same key", host.hmac("SHA-256", text("Jefe"), text("what do ya want for nothing?")), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  check("hmac-sha1 other key", host.hmac("SHA-1", text("key"), text("The quick brown fox jumps over the lazy dog")), "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9");
  check("pbkdf2-sha1 c=1 rfc6070", pbkdf2(host, "SHA-1", text("password"), text("salt"), 1), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  let start = Time.ticks;
  check("pbkdf2-sha1 c=4096 rfc6070", pbkdf2(host, "SHA-1", text("password"), text("salt"), 4096), "4b007901b765489abead49d926f721d065a429c1");
  trace(`selftest time pbkdf2-sha1 4096 iterations ${Time.ticks - start} ms\n`);
  start = Time.ticks;
  check("pbkdf2-sha256 c=4096", pbkdf2(host, "SHA-256", text("password"), text("salt"), 4096), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  trace(`selftest time pbkdf2-sha256 4096 iterations ${Time.ticks - start} ms\n`);
  // The same derivation with a new HMAC for every call, as a host without the per-key reuse would do it.
  const fresh = {
    hmac: (algorithm: "SHA-1" | "SHA-256", key: Uint8Array, data: Uint8Array) =>
      new Uint8Array(new HMAC(new Digest(algorithm === "SHA-1" ? "SHA1" : "SHA256"), key.slice().buffer).process(data.slice().buffer)),
  };
  start = Time.ticks;
  check("pbkdf2-sha1 c=4096 without reuse", pbkdf2(fresh, "SHA-1", text("password"), text("salt"), 4096), "4b007901b765489abead49d926f721d065a429c1");
  trace(`selftest time pbkdf2-sha1 4096 iterations without HMAC reuse ${Time.ticks - start} ms\n`);
  const random = host.randomBytes(32);
  if (random.length === 32 && random.some((b) => b !== 0)) trace("selftest ok random bytes\n");
  else {
    failures++;
    trace(`selftest FAIL random bytes: ${hex(random)}\n`);
  }
  trace(`selftest done ${failures}\n`);
}
