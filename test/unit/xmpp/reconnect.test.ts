// Backoff between reconnects, and which failures are not worth a retry.

import { assert } from "../../support/assert.js";
import { FakeHost } from "../../support/fake-host.js";
import { Backoff, isPermanent } from "../../../src/xmpp/reconnect.js";
import { NegotiationError, StreamError, TimeoutError } from "../../../src/xmpp/error.js";
import { SASLError } from "../../../src/xmpp/sasl/error.js";

describe("reconnect backoff", () => {
  it("doubles from the first delay up to the maximum, each delay between half and all of its ceiling", () => {
    const backoff = new Backoff(new FakeHost(), { initialMs: 1000, maxMs: 8000 });
    const ceilings = [1000, 2000, 4000, 8000, 8000, 8000];
    for (const ceiling of ceilings) {
      const delay = backoff.next();
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${delay} within [${ceiling / 2}, ${ceiling}]`);
    }
  });

  it("spreads delays at random so that devices do not reconnect in step", () => {
    const delays = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) delays.add(new Backoff(new FakeHost({ seed }), { initialMs: 1000, maxMs: 1000 }).next());
    assert.ok(delays.size > 1, `several different delays: ${[...delays].join(", ")}`);
  });

  it("starts again from the first delay after reset()", () => {
    const backoff = new Backoff(new FakeHost(), { initialMs: 100, maxMs: 10_000 });
    for (let i = 0; i < 5; i++) backoff.next();
    backoff.reset();
    assert.ok(backoff.next() <= 100);
  });

  it("refuses a maximum below the first delay", () => {
    assert.throws(() => new Backoff(new FakeHost(), { initialMs: 10, maxMs: 5 }), RangeError);
  });

  it("treats credentials and TLS failures as permanent, network trouble as transient", () => {
    assert.ok(isPermanent(new SASLError("not-authorized")));
    assert.ok(isPermanent(new NegotiationError("policy-violation", "no STARTTLS")));
    assert.ok(!isPermanent(new StreamError("system-shutdown")));
    assert.ok(!isPermanent(new TimeoutError("slow")));
    assert.ok(!isPermanent(new Error("cannot connect to hub:5222: ECONNREFUSED")));
  });
});
