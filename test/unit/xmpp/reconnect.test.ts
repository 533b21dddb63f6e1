// Backoff between reconnects, and which failures are not worth a retry.

import { assert } from "../../support/assert.js";
import { FakeHost } from "../../support/fake-host.js";
import { Backoff, isPermanent, QUICK_INTERVAL_MS, QUICK_JITTER_MS } from "../../../src/xmpp/reconnect.js";
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

  it("reconnects after a healthy stream at once (at most 300 ms, spread at random), at most once a minute; backoff otherwise", () => {
    const backoff = new Backoff(new FakeHost(), { initialMs: 1000, maxMs: 8000 });
    const first = backoff.afterLoss(0);
    assert.ok(first >= 0 && first <= QUICK_JITTER_MS, `${first} within [0, ${QUICK_JITTER_MS}]`);
    const again = backoff.afterLoss(30_000);
    assert.ok(again >= 500 && again <= 1000, `a second loss within a minute backs off: ${again}`);
    assert.ok(backoff.afterLoss(30_000 + QUICK_INTERVAL_MS) <= QUICK_JITTER_MS, "quick again a minute after the last quick one");
    const spread = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) spread.add(new Backoff(new FakeHost({ seed })).afterLoss(0));
    assert.ok(spread.size > 1, `several different quick delays: ${[...spread].join(", ")}`);
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
