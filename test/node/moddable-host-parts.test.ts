// The parts of the Moddable host that need no SDK: TLS record sizing against the send room, what
// a failed handshake means (permanent only for certificates), and Time.ticks unwrapped.

import { strict as assert } from "node:assert";
import { TickClock, WallClock } from "../../hosts/moddable/clock.js";
import { handshakeFailure } from "../../hosts/moddable/tls-failure.js";
import { MAX_RECORD_PAYLOAD, RECORD_MARGIN, recordPayloadRoom } from "../../hosts/moddable/tls-record.js";
import { CertificateError } from "../../src/host.js";

/** The most a record of a suite the SDK offers adds to its payload: CBC-SHA256 (header 5, IV 16, MAC 32, padding 16). */
const CBC_SHA256_OVERHEAD = 5 + 16 + 32 + 16;
/** The send room of an lwip socket on ESP32 (TCP_SND_BUF). */
const LWIP_SEND_ROOM = 8192;

describe("the Moddable host without the SDK", () => {
  describe("TLS record sizing", () => {
    it("keeps the SDK's 96-byte margin, so a CBC-SHA256 record filling the send room still fits it", () => {
      assert.equal(RECORD_MARGIN, 96);
      const payload = recordPayloadRoom(LWIP_SEND_ROOM);
      assert.ok(payload + CBC_SHA256_OVERHEAD <= LWIP_SEND_ROOM, `a ${payload}-byte payload makes a ${payload + CBC_SHA256_OVERHEAD}-byte record`);
    });

    it("never asks for more than TLS's largest record, and for nothing when the room is smaller than the margin", () => {
      assert.equal(recordPayloadRoom(100_000), MAX_RECORD_PAYLOAD);
      assert.ok(recordPayloadRoom(RECORD_MARGIN) <= 0);
      assert.ok(recordPayloadRoom(0) <= 0);
    });
  });

  describe("a failed TLS handshake", () => {
    for (const reason of ["certificate: auth err", "date validation failed", "Cert: unsupported algorithm: 1,2,3"]) {
      it(`is a CertificateError (permanent) for the SDK's "${reason}", saying what to fix`, () => {
        const error = handshakeFailure("10.0.0.2:5222", "images.example", reason, "1970-01-01T00:00:05.000Z");
        assert.ok(error instanceof CertificateError);
        assert.match(error.message, /TLS handshake with 10\.0\.0\.2:5222 failed/);
        assert.match(error.message, /not signed by the configured ca, does not name images\.example, or is outside its dates \(device clock 1970-01-01T00:00:05\.000Z\)/);
        assert.match(error.message, /fix the ca key or that server's certificate \(it must send its full chain\)/);
        assert.doesNotMatch(error.message, /hub/i, "the server may be an image server, not the hub");
      });
    }

    for (const reason of ["the connection to 10.0.0.2:5222 was closed", "TLS alert handshake_failure", "handshake: unsuppoorted cipher", "recordProtocol: bad data"]) {
      it(`is a plain Error (retried) for "${reason}"`, () => {
        const error = handshakeFailure("10.0.0.2:5222", "hub.test", reason, "2026-12-02T00:00:00.000Z");
        assert.ok(!(error instanceof CertificateError));
        assert.match(error.message, /failed \(.*\); it will be retried/);
      });
    }
  });

  describe("the clock over Time.ticks", () => {
    it("keeps counting up across the signed 32-bit wrap after 24.8 days", () => {
      let ticks = 2 ** 31 - 1_000;
      const clock = new TickClock(() => ticks);
      const before = clock.now();
      ticks = -(2 ** 31) + 500; // 1,500 ms later, as a signed 32-bit count
      assert.equal(clock.now() - before, 1_500);
      ticks = -(2 ** 31) + 10_500;
      assert.equal(clock.now() - before, 11_500);
    });

    it("survives a second wrap, and reads small steps as they are", () => {
      let ticks = 0;
      const clock = new TickClock(() => ticks);
      for (const step of [2 ** 31 - 1, 1, 2 ** 31 - 1, 1]) {
        const before = clock.now();
        ticks = ((ticks + step + 2 ** 31) % 2 ** 32) - 2 ** 31;
        assert.equal(clock.now() - before, step);
      }
    });
  });

  describe("the wall clock", () => {
    it("on the ESP32 profile (no settable system clock) starts at 1970 and is set by an offset", () => {
      let desktop = 1_764_000_000_000;
      const wall = new WallClock(() => desktop, undefined);
      assert.equal(wall.now(), 0);
      desktop += 5_000;
      assert.equal(wall.now(), 5_000);
      wall.set(1_800_000_000_000);
      desktop += 1_000;
      assert.equal(wall.now(), 1_800_000_001_000);
    });

    it("on a board is the system clock, set through it", () => {
      let system = 1_000;
      const wall = new WallClock(() => system, (ms) => (system = ms));
      assert.equal(wall.now(), 1_000);
      wall.set(1_800_000_000_000);
      assert.equal(system, 1_800_000_000_000);
      assert.equal(wall.now(), 1_800_000_000_000);
    });
  });
});
