// The Moddable host's cryptography on the SDK itself, in mcsim: SHA-1, SHA-256 and HMAC against
// published vectors (inputs also as views into larger buffers), the core's PBKDF2 over the SDK's
// HMAC against RFC 6070 and the PBKDF2-HMAC-SHA-256 vector, and random bytes. SCRAM-SHA-256 is
// not offered by the hub's Prosody, so this is where its hashing is checked on the SDK. Then the
// host's native PBKDF2 (the project's C module, hosts/moddable/pbkdf2) against the same vectors,
// views, a password longer than a block and bad arguments, and its time against the JavaScript path.

import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { freeLoopbackPort } from "../../hosts/node/hub/loopback-port.js";
import { projectRoot } from "../../hosts/node/project.js";
import { simulatorMissing } from "../support/sim-process.js";

describe("the Moddable host's cryptography in mcsim", function () {
  this.timeout(300_000);

  before(function () {
    const missing = simulatorMissing();
    if (missing) {
      console.log(`    skipped: ${missing}`);
      this.skip();
    }
  });

  it("matches every published vector, and SCRAM's 4,096 PBKDF2 iterations come out right for SHA-1 and SHA-256", async () => {
    const port = await freeLoopbackPort();
    // A loopback peer for the send-room check: it accepts and reads nothing.
    const accepted = new Set<Socket>();
    const peer = createServer((socket) => {
      accepted.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => accepted.delete(socket));
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    const peerPort = (peer.address() as { port: number }).port;
    let result: { status: number | null; output: string };
    try {
      // Asynchronous: the peer must keep accepting while the self-test runs.
      result = await new Promise((resolve) => {
        const child = spawn(process.execPath, [join(projectRoot(), "scripts/moddable.mjs"), "selftest", "--port", String(port), `selftest_tcp_port=${peerPort}`], { stdio: ["ignore", "pipe", "pipe"], timeout: 280_000 });
        let output = "";
        child.stdout.on("data", (chunk) => (output += chunk));
        child.stderr.on("data", (chunk) => (output += chunk));
        child.on("close", (status) => resolve({ status, output }));
      });
    } finally {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => peer.close(resolve));
    }
    const output = result.output;
    assert.equal(result.status, 0, output);
    assert.match(output, /selftest done 0/);
    assert.doesNotMatch(output, /selftest FAIL/);
    for (const name of ["sha1 abc", "sha256 abc", "hmac-sha1 rfc2202", "hmac-sha256 rfc4231", "hmac-sha256 same key", "hmac-sha1 other key", "pbkdf2-sha1 c=4096 rfc6070", "pbkdf2-sha256 c=4096", "random bytes",
      "native pbkdf2-sha1 c=1 rfc6070", "native pbkdf2-sha1 c=2 rfc6070", "native pbkdf2-sha1 c=4096 rfc6070", "native pbkdf2-sha1 c=4096 rfc6070 long",
      "native pbkdf2-sha256 c=1", "native pbkdf2-sha256 c=2", "native pbkdf2-sha256 c=4096", "native pbkdf2-sha1 100-byte password", "native pbkdf2-sha256 100-byte password"]) {
      assert.match(output, new RegExp(`selftest ok ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
    }
    for (const refused of ["0 iterations", "1.5 iterations", "SHA-512", "module refuses 0 iterations", "module refuses 2^31 iterations"]) assert.match(output, new RegExp(`selftest ok native pbkdf2 ${refused.startsWith("module") ? "" : "refuses "}${refused.replace(/[.^]/g, "\\$&")} \\(`));
    // The simulator's TCP is as strict as lwip's: a room of at most 8,192 bytes, a larger write refused.
    const room = /selftest ok tcp send room (\d+) bytes \(lwip 8192\), a \d+-byte write refused: would block/.exec(output);
    assert.ok(room && Number(room[1]) <= 8192, output);
    // The figures: both paths timed in the same run.
    for (const digest of ["sha1", "sha256"]) {
      assert.match(output, new RegExp(`selftest time pbkdf2-${digest} 4096 iterations \\d+ ms`));
      assert.match(output, new RegExp(`selftest time native pbkdf2-${digest} 4096 iterations [\\d.]+ ms`));
    }
  });
});
