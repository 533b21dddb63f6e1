// Signed updates against the simulated partitions: a good image boots on trial and is kept once
// online; a bad SHA-256, a bad signature and a cut download change nothing; a trial image that
// does not come online goes back to the previous one; the fields are checked, naming the field.
// The signature check stands in for ECDSA (the runtime's): a keyed digest of the image's digest.

import { assert } from "../../support/assert.js";
import { FakeClock, settle } from "../../support/fake-host.js";
import { sha256 } from "../../support/digest.js";
import { DEFAULT_TRIAL_MS, FirmwareUpdate, readUpdateTrialMs, SimulatedPartitions, SIGNATURE_BYTES, type UpdateRuntime } from "../../../src/app/firmware-update.js";
import { encodeUtf8 } from "../../../src/xml/utf8.js";

const URL = "https://hub.test:8443/microwave-0.2.0.bin";
const OLD = encodeUtf8("firmware 0.1.0");

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The stand-in signature of `firmware` by `key`: 64 bytes. */
function sign(firmware: Uint8Array, key = "the user's key"): Uint8Array {
  const half = sha256(concat(encodeUtf8(key), sha256(firmware)));
  return concat(half, half);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A firmware of `size` bytes and its image file (firmware + signature). */
function image(size = 200_000, key?: string) {
  const firmware = new Uint8Array(size).map((_, i) => (i * 7 + 3) & 0xff);
  const file = concat(firmware, sign(firmware, key));
  return { firmware, file, sha256: hex(sha256(file)) };
}

function setup(served: Uint8Array, options: { cutAfter?: number } = {}) {
  const clock = new FakeClock();
  const slot = new SimulatedPartitions(OLD);
  const events: string[] = [];
  let restarts = 0;
  const runtime: UpdateRuntime = {
    slot,
    async download(url, onChunk) {
      assert.equal(url, URL);
      for (let at = 0; at < served.length; at += 4096) {
        if (options.cutAfter !== undefined && at >= options.cutAfter) throw new Error("connection reset");
        onChunk(served.subarray(at, at + 4096));
        await Promise.resolve();
      }
    },
    sha256() {
      const parts: Uint8Array[] = [];
      return { write: (bytes) => void parts.push(bytes.slice()), close: () => sha256(concat(...parts)) };
    },
    verify: (digest, signature) => signature.length === SIGNATURE_BYTES && hex(signature) === hex(concat(...[0, 1].map(() => sha256(concat(encodeUtf8("the user's key"), digest))))),
    restart: () => {
      restarts += 1;
      events.push("restart");
    },
  };
  const update = new FirmwareUpdate({
    runtime,
    host: clock,
    safe: () => events.push("safe"),
    progress: (status) => events.push(`progress ${status}`),
    log: (event, detail) => events.push(`${event} ${detail}`),
    trialMs: 60_000,
  });
  return { clock, slot, events, update, restarts: () => restarts };
}

describe("signed firmware updates (simulated partitions)", () => {
  it("writes a good image to the inactive partition, goes safe, restarts on it on trial, keeps it once online", async () => {
    const { firmware, file, sha256: digest } = image();
    const { clock, slot, events, update, restarts } = setup(file);
    const reply = await update.run(URL, digest);
    assert.match(reply, /^ok: update checked \(200064 bytes, SHA-256 and signature\); every output is in its safe state/);
    assert.deepEqual(slot.images[1], firmware, "the firmware without its signature, in the inactive partition");
    assert.ok(events.some((event) => event === "progress update: 64 KB downloaded"));
    assert.ok(events.indexOf("safe") < events.indexOf("progress update: checked, restarting on the new image"));
    assert.equal(restarts(), 0, "the reply goes out first");
    clock.advance(1000);
    assert.equal(restarts(), 1);
    assert.deepEqual(slot.restart(), firmware, "the bootloader boots the new image");
    assert.ok(slot.onTrial);
    update.boot();
    update.online();
    assert.ok(!slot.onTrial, "kept");
    clock.advance(120_000);
    assert.equal(restarts(), 1, "no rollback once confirmed");
    assert.deepEqual(slot.restart(), firmware, "and it stays after the next restart");
  });

  it("goes back to the previous image when the new one does not come online in time", async () => {
    const { file, sha256: digest } = image(10_000);
    const { clock, slot, events, update, restarts } = setup(file);
    await update.run(URL, digest);
    clock.advance(1000);
    slot.restart();
    update.boot();
    clock.advance(59_000);
    assert.equal(restarts(), 1);
    clock.advance(1_000);
    assert.equal(restarts(), 2);
    assert.ok(events.some((event) => /did not come online within 60 s: going back/.test(event)));
    assert.deepEqual(slot.restart(), OLD);
    assert.ok(!slot.onTrial);
  });

  it("goes back to the previous image when the new one restarts before it is confirmed (a crash)", async () => {
    const { file, sha256: digest } = image(10_000);
    const { clock, slot, update } = setup(file);
    await update.run(URL, digest);
    clock.advance(1000);
    slot.restart();
    assert.deepEqual(slot.restart(), OLD);
  });

  for (const [what, make, reason] of [
    ["a SHA-256 that does not match", () => ({ ...image(), sha256: "ab".repeat(32) }), /^error: field sha256: the image's SHA-256 is [0-9a-f]{64}, not (ab){32}; nothing was changed/],
    ["a signature by another key", () => image(50_000, "someone else's key"), /^error: the image's signature is not valid for this firmware's key/],
    ["a damaged image (hash of the damaged file given)", () => {
      const good = image(50_000);
      const file = good.file.slice();
      file[100] ^= 0xff;
      return { ...good, file, sha256: hex(sha256(file)) };
    }, /^error: the image's signature is not valid/],
  ] as const) {
    it(`refuses ${what}: the inactive partition unused, no safe state, no restart`, async () => {
      const { file, sha256: digest } = make();
      const { clock, slot, events, update, restarts } = setup(file);
      const reply = await update.run(URL, digest);
      assert.match(reply, reason);
      assert.match(reply, /nothing was changed, the running image stays$/);
      clock.advance(10_000);
      assert.equal(restarts(), 0);
      assert.ok(!events.includes("safe"));
      assert.equal(slot.images[1], undefined);
      assert.deepEqual(slot.restart(), OLD);
    });
  }

  it("changes nothing when the download is cut", async () => {
    const { file, sha256: digest } = image();
    const { clock, slot, events, update, restarts } = setup(file, { cutAfter: 100_000 });
    assert.equal(await update.run(URL, digest), "error: the download failed after 102400 bytes (connection reset); nothing was changed, the running image stays");
    clock.advance(10_000);
    assert.equal(restarts(), 0);
    assert.ok(!events.includes("safe"));
    assert.deepEqual(slot.restart(), OLD);
    // A second attempt that completes works.
    const again = setup(file);
    assert.match(await again.update.run(URL, digest), /^ok/);
    await settle();
  });

  for (const [url, sha, field] of [
    ["http://hub.test/image.bin", "ab".repeat(32), "url"],
    ["https://", "ab".repeat(32), "url"],
    [URL, "not a digest", "sha256"],
    [URL, "ab".repeat(31), "sha256"],
  ] as const) {
    it(`refuses url ${url} with sha256 ${sha.slice(0, 12)}, naming the field ${field}`, async () => {
      const { update, events } = setup(image(1000).file);
      assert.match(await update.run(url, sha), new RegExp(`^error: field ${field}: .*nothing was changed$`));
      assert.deepEqual(events, []);
    });
  }
});

describe("update_trial_s", () => {
  it("is 300 s when not given, whole seconds from 5 to 86400 otherwise, and refused outside naming the key", () => {
    assert.equal(readUpdateTrialMs(undefined), DEFAULT_TRIAL_MS);
    assert.equal(readUpdateTrialMs(""), 300_000);
    assert.equal(readUpdateTrialMs("5"), 5000);
    assert.equal(readUpdateTrialMs(86_400), 86_400_000);
    for (const bad of ["4", "86401", "1.5", "soon", -10]) {
      assert.throws(() => readUpdateTrialMs(bad), /^ConfigError: config key "update_trial_s": .* is not a whole number of seconds from 5 to 86400$/);
    }
  });
});
