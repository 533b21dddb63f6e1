// A check of the Moddable host's cryptography on the SDK itself (run by test/sim/crypto.test.ts
// in mcsim): its SHA-1, SHA-256 and HMAC against published vectors, inputs given as views into
// larger buffers, and the core's PBKDF2 over that HMAC (SCRAM's salted password) against RFC 6070
// and the common PBKDF2-HMAC-SHA-256 vector, then the host's native PBKDF2 (the project's C module)
// against the same vectors and the JavaScript path, timing the 4,096 iterations of each; then the
// simulator's TCP send room against lwip's (selftest_tcp_port). One trace line per check, "selftest ok <name>" or "selftest FAIL <name>: ...", then "selftest done <failures>".

import TCP from "embedded:io/socket/tcp";
import { Digest } from "crypt";
import config from "mc/config";
import Timer from "timer";
import HMAC from "hmac";
import Time from "time";
import nativePbkdf2 from "appliance/pbkdf2";
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
  nativeChecks();
  const random = host.randomBytes(32);
  if (random.length === 32 && random.some((b) => b !== 0)) trace("selftest ok random bytes\n");
  else {
    failures++;
    trace(`selftest FAIL random bytes: ${hex(random)}\n`);
  }
  const port = Number(config.selftest_tcp_port);
  if (!port) {
    trace("selftest skipped tcp send room: no selftest_tcp_port=<a loopback port that accepts>\n");
    trace(`selftest done ${failures}\n`);
    return;
  }
  checkSendRoom(port, () => trace(`selftest done ${failures}\n`));
}

/** lwip's send room on ESP32 (TCP_SND_BUF); a write larger than the room throws there. */
const LWIP_SEND_ROOM = 8192;

/**
 * The simulator's TCP must be at least as strict as lwip's: a send room no larger than 8,192
 * bytes, and a write larger than the room refused ("would block"), not buffered. Connects to
 * the loopback port the test listens on and tries a write one byte over the room.
 */
function checkSendRoom(port: number, done: () => void): void {
  let finished = false;
  let socket: TCP | undefined;
  const finish = (failure: string | undefined, detail = "") => {
    if (finished) return;
    finished = true;
    Timer.clear(timer);
    try {
      socket?.close();
    } catch {
      // closed already
    }
    if (failure === undefined) trace(`selftest ok tcp send room ${detail}\n`);
    else {
      failures++;
      trace(`selftest FAIL tcp send room: ${failure}\n`);
    }
    done();
  };
  const timer = Timer.set(() => finish(`no onWritable from 127.0.0.1:${port} within 5 s`), 5_000);
  socket = new TCP({
    address: "127.0.0.1",
    port,
    onWritable(count: number) {
      if (finished) return;
      let refused: string | undefined;
      try {
        this.write(new ArrayBuffer(count + 1));
      } catch (error) {
        refused = (error as Error).message;
      }
      if (count > LWIP_SEND_ROOM) finish(`the room is ${count} bytes, more than lwip's ${LWIP_SEND_ROOM}`);
      else if (refused === undefined) finish(`a ${count + 1}-byte write into a ${count}-byte room was taken`);
      else finish(undefined, `${count} bytes (lwip ${LWIP_SEND_ROOM}), a ${count + 1}-byte write refused: ${refused}`);
    },
    onError() {
      finish(`the connection to 127.0.0.1:${port} failed`);
    },
  });
}

/** RFC 6070 and the SHA-256 vectors through host.pbkdf2 (C), then its cost against the JavaScript path's. */
function nativeChecks(): void {
  const derive = host.pbkdf2!;
  const p = text("password");
  const s = text("salt");
  check("native pbkdf2-sha1 c=1 rfc6070", derive("SHA-1", p, s, 1), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
  check("native pbkdf2-sha1 c=2 rfc6070", derive("SHA-1", view(p), view(s), 2), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
  check("native pbkdf2-sha1 c=4096 rfc6070", derive("SHA-1", p, s, 4096), "4b007901b765489abead49d926f721d065a429c1");
  // RFC 6070 case 5 asks for 25 bytes; SCRAM takes one digest, the first 20 of them.
  check("native pbkdf2-sha1 c=4096 rfc6070 long", derive("SHA-1", text("passwordPASSWORDpassword"), text("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096), "3d2eec4fe41c849b80c8d83662c0e44a8b291a96");
  check("native pbkdf2-sha256 c=1", derive("SHA-256", p, s, 1), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  check("native pbkdf2-sha256 c=2", derive("SHA-256", view(p), view(s), 2), "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  check("native pbkdf2-sha256 c=4096", derive("SHA-256", p, s, 4096), "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
  // A password longer than a digest block is hashed first (RFC 2104): the C and JavaScript paths must agree.
  const long = Uint8Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 0xff);
  for (const algorithm of ["SHA-1", "SHA-256"] as const) {
    check(`native pbkdf2-${algorithm === "SHA-1" ? "sha1" : "sha256"} 100-byte password`, derive(algorithm, long, s, 10), hex(pbkdf2(host, algorithm, long, s, 10)));
  }
  for (const [name, run] of [
    ["native pbkdf2 refuses 0 iterations", () => derive("SHA-1", p, s, 0)],
    ["native pbkdf2 refuses 1.5 iterations", () => derive("SHA-1", p, s, 1.5)],
    ["native pbkdf2 refuses SHA-512", () => derive("SHA-512" as "SHA-1", p, s, 1)],
    // The C module's own checks, behind the host's.
    ["native pbkdf2 module refuses 0 iterations", () => nativePbkdf2("SHA-1", p, s, 0)],
    ["native pbkdf2 module refuses 2^31 iterations", () => nativePbkdf2("SHA-1", p, s, 2 ** 31)],
  ] as const) {
    try {
      run();
      failures++;
      trace(`selftest FAIL ${name}: no error\n`);
    } catch (error) {
      if (error instanceof RangeError) trace(`selftest ok ${name} (${(error as Error).message})\n`);
      else {
        failures++;
        trace(`selftest FAIL ${name}: ${String(error)}\n`);
      }
    }
  }
  // Time.ticks counts milliseconds: the C path is timed over many derivations.
  for (const algorithm of ["SHA-1", "SHA-256"] as const) {
    const rounds = 50;
    const start = Time.ticks;
    for (let i = 0; i < rounds; i++) derive(algorithm, p, s, 4096);
    trace(`selftest time native pbkdf2-${algorithm === "SHA-1" ? "sha1" : "sha256"} 4096 iterations ${((Time.ticks - start) / rounds).toFixed(2)} ms (mean of ${rounds})\n`);
  }
}
