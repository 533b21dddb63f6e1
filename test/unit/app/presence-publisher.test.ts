// Presence updates are rate-limited: first at once, then at most one per interval, the latest wins.

import { assert } from "../../support/assert.js";
import { FakeClock } from "../../support/fake-host.js";
import { PresencePublisher } from "../../../src/app/presence-publisher.js";

describe("presence publisher", () => {
  function setup() {
    const clock = new FakeClock();
    const sent: [number, string][] = [];
    const publisher = new PresencePublisher(clock, 10_000, (status) => sent.push([clock.now(), status]));
    return { clock, sent, publisher };
  }

  it("sends the first change at once", () => {
    const { sent, publisher } = setup();
    publisher.update("grilling");
    assert.deepEqual(sent, [[0, "grilling"]]);
  });

  it("folds changes within the interval into one update with the latest text at its end", () => {
    const { clock, sent, publisher } = setup();
    publisher.update("a");
    clock.advance(1000);
    publisher.update("b");
    publisher.update("c");
    clock.advance(8999);
    assert.equal(sent.length, 1);
    clock.advance(1);
    assert.deepEqual(sent, [[0, "a"], [10_000, "c"]]);
  });

  it("does not repeat the text the hub already has", () => {
    const { clock, sent, publisher } = setup();
    publisher.reset("idle");
    clock.advance(20_000);
    publisher.update("idle");
    assert.deepEqual(sent, []);
    publisher.update("on");
    assert.deepEqual(sent, [[20_000, "on"]]);
  });

  it("drops a pending update when cancelled", () => {
    const { clock, sent, publisher } = setup();
    publisher.update("a");
    publisher.update("b");
    publisher.cancel();
    clock.advance(60_000);
    assert.deepEqual(sent, [[0, "a"]]);
  });
});
