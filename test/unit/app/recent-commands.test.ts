// The bounded tables behind duplicate detection, refusal limits and owners' queues: each forgets
// or refuses past its bound, so memory stays flat whatever a sender does.

import { assert } from "../../support/assert.js";
import { FakeClock, settle } from "../../support/fake-host.js";
import { CommandQueues } from "../../../src/app/command-queues.js";
import { RecentCommands } from "../../../src/app/recent-commands.js";
import { RefusalLimit } from "../../../src/app/refusal-limit.js";

describe("recent commands", () => {
  it("keeps at most `size` commands, forgetting the oldest first", () => {
    const recent = new RecentCommands(new FakeClock(), { size: 2 });
    for (const key of ["a", "b", "c"]) recent.remember(key, Promise.resolve(key));
    assert.equal(recent.size, 2);
    assert.equal(recent.reply("a"), undefined);
    assert.ok(recent.reply("b") && recent.reply("c"));
  });

  it("forgets a command once its window has passed", () => {
    const clock = new FakeClock();
    const recent = new RecentCommands(clock, { windowMs: 1000 });
    recent.remember("a", Promise.resolve("a"));
    clock.advance(999);
    assert.ok(recent.reply("a"));
    clock.advance(1);
    assert.equal(recent.reply("a"), undefined);
    assert.equal(recent.size, 0);
  });
});

describe("refusal limit", () => {
  it("allows the first refusal, then one per interval per sender", () => {
    const clock = new FakeClock();
    const limit = new RefusalLimit(clock, { intervalMs: 60_000 });
    assert.deepEqual([limit.allow("a"), limit.allow("a"), limit.allow("b")], [true, false, true]);
    clock.advance(59_999);
    assert.equal(limit.allow("a"), false);
    clock.advance(1);
    assert.equal(limit.allow("a"), true);
  });

  it("remembers at most `senders` at once and answers no new sender until one is forgotten", () => {
    const clock = new FakeClock();
    const limit = new RefusalLimit(clock, { intervalMs: 60_000, senders: 2 });
    assert.deepEqual(["a", "b", "c"].map((sender) => limit.allow(sender)), [true, true, false]);
    clock.advance(60_000);
    assert.equal(limit.allow("c"), true);
  });
});

describe("command queues", () => {
  it("runs one sender's work in order, refuses past the limit, and frees the slot when done", async () => {
    const queues = new CommandQueues(2);
    const order: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = queues.run("a", async () => {
      await gate;
      order.push("a1");
    });
    const second = queues.run("a", async () => {
      order.push("a2");
    });
    assert.equal(queues.run("a", async () => order.push("a3")), undefined);
    await queues.run("b", async () => order.push("b1"));
    assert.deepEqual(order, ["b1"]);
    open();
    await Promise.all([first, second]);
    await settle();
    assert.deepEqual(order, ["b1", "a1", "a2"]);
    assert.ok(queues.run("a", async () => order.push("a4")));
  });
});
