// Presence updates are rate-limited: first at once, then at most one per interval, the latest wins;
// the status text is read only when it may be sent, as it was at the last change.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { PresencePublisher } from "../../../src/app/presence-publisher.js";

describe("presence publisher", () => {
  function setup() {
    const clock = new FakeClock();
    const sent: [number, string][] = [];
    const device = { status: "idle", reads: 0, readAt: [] as number[] };
    const publisher = new PresencePublisher(
      clock,
      10_000,
      (at) => {
        device.reads += 1;
        device.readAt.push(at);
        return device.status;
      },
      (status) => sent.push([clock.now(), status]),
    );
    const change = (status: string) => {
      device.status = status;
      publisher.changed();
    };
    return { clock, sent, device, publisher, change };
  }

  it("sends the first change at once", () => {
    const { sent, change } = setup();
    change("grilling");
    assert.deepEqual(sent, [[0, "grilling"]]);
  });

  it("folds changes within the interval into one update with the latest text at its end", () => {
    const { clock, sent, change } = setup();
    change("a");
    clock.advance(1000);
    change("b");
    change("c");
    clock.advance(8999);
    assert.equal(sent.length, 1);
    clock.advance(1);
    assert.deepEqual(sent, [[0, "a"], [10_000, "c"]]);
  });

  it("reads the status text once per update, not at each change folded into a pending one", () => {
    const { clock, sent, device, change } = setup();
    change("a");
    assert.equal(device.reads, 1);
    clock.advance(1000);
    for (let i = 0; i < 100; i++) change(i % 2 === 0 ? "preheating" : "idle");
    assert.equal(device.reads, 2, "the first change within the interval is read (to see whether it changes anything); the rest wait");
    clock.advance(9000);
    assert.equal(device.reads, 3, "read again when the update is due");
    assert.deepEqual(sent, [[0, "a"], [10_000, "idle"]]);
  });

  it("reads the update due at the interval's end as of the last change (a countdown says what that change made)", () => {
    const { clock, sent, device, change } = setup();
    change("a");
    clock.advance(1000);
    change("b");
    clock.advance(2500);
    change("c");
    clock.advance(6500);
    assert.deepEqual(sent, [[0, "a"], [10_000, "c"]]);
    assert.deepEqual(device.readAt, [0, 1000, 3500], "the last read is as of the last change, at 3,500 ms, not of the update at 10,000");
  });

  it("sends nothing at the end of the interval when the text came back to what the hub has", () => {
    const { clock, sent, change } = setup();
    change("a");
    clock.advance(1000);
    change("b");
    change("a");
    clock.advance(60_000);
    assert.deepEqual(sent, [[0, "a"]]);
  });

  it("does not repeat the text the hub already has", () => {
    const { clock, sent, publisher, change } = setup();
    publisher.reset("idle");
    clock.advance(20_000);
    change("idle");
    assert.deepEqual(sent, []);
    change("on");
    assert.deepEqual(sent, [[20_000, "on"]]);
  });

  it("drops a pending update when cancelled", () => {
    const { clock, sent, publisher, change } = setup();
    change("a");
    change("b");
    publisher.cancel();
    clock.advance(60_000);
    assert.deepEqual(sent, [[0, "a"]]);
  });
});
