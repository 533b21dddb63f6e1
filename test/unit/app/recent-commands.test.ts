// The bounded tables behind duplicate detection, refusal limits and owners' queues: each forgets
// or refuses past its bound, so memory stays flat whatever a sender does.

import { assert } from "../../support/assert.js";
import { FakeClock, settle } from "../../support/fake-host.js";
import { CommandQueues } from "../../../src/app/command-queues.js";
import { RecentCommands } from "../../../src/app/recent-commands.js";
import { RefusalLimit } from "../../../src/app/refusal-limit.js";

describe("recent commands", () => {
  const owner = "owner@hub.test";

  it("keeps at most `size` commands, forgetting the oldest first", () => {
    const recent = new RecentCommands(new FakeClock(), { size: 2 });
    for (const id of ["a", "b", "c"]) recent.remember(owner, id, "status", Promise.resolve(id));
    assert.equal(recent.size, 2);
    assert.equal(recent.reply(owner, "a", "status"), undefined);
    assert.ok(recent.reply(owner, "b", "status") && recent.reply(owner, "c", "status"));
  });

  it("forgets a command once its window has passed", () => {
    const clock = new FakeClock();
    const recent = new RecentCommands(clock, { windowMs: 1000 });
    recent.remember(owner, "a", "status", Promise.resolve("a"));
    clock.advance(999);
    assert.ok(recent.reply(owner, "a", "status"));
    clock.advance(1);
    assert.equal(recent.reply(owner, "a", "status"), undefined);
    assert.equal(recent.size, 0);
  });

  it("forgets only the commands whose window has passed, the oldest first", async () => {
    const clock = new FakeClock();
    const recent = new RecentCommands(clock, { windowMs: 1000, size: 4 });
    recent.remember(owner, "a", "status", Promise.resolve("first"));
    clock.advance(600);
    recent.remember(owner, "b", "status", Promise.resolve("second"));
    clock.advance(400);
    assert.equal(recent.size, 1);
    assert.equal(recent.reply(owner, "a", "status"), undefined);
    assert.equal(await recent.reply(owner, "b", "status"), "second");
  });

  it("tells commands apart by sender, id and text, all three", async () => {
    const recent = new RecentCommands(new FakeClock());
    recent.remember(owner, "1", "GRILL 5", Promise.resolve("grilling"));
    assert.equal(recent.reply("other@hub.test", "1", "GRILL 5"), undefined, "another owner's id 1");
    assert.equal(recent.reply(owner, "2", "GRILL 5"), undefined, "another id");
    assert.equal(recent.reply(owner, "1", "GRILL 6"), undefined, "a client numbering again from 1 after a restart");
    assert.equal(await recent.reply(owner, "1", "GRILL 5"), "grilling");
  });

  it("finds an owner's command when another owner's newer one has the same id, until the ring forgets it", async () => {
    const recent = new RecentCommands(new FakeClock(), { size: 3 });
    recent.remember(owner, "1", "GRILL 5", Promise.resolve("owner's"));
    recent.remember("other@hub.test", "1", "STOP", Promise.resolve("other's"));
    assert.equal(await recent.reply(owner, "1", "GRILL 5"), "owner's");
    assert.equal(await recent.reply("other@hub.test", "1", "STOP"), "other's");
    recent.remember(owner, "2", "status", Promise.resolve("status"));
    recent.remember(owner, "3", "status", Promise.resolve("status"));
    assert.equal(recent.reply(owner, "1", "GRILL 5"), undefined, "the oldest, overwritten");
    assert.equal(await recent.reply("other@hub.test", "1", "STOP"), "other's", "its id still leads to the newer one");
    recent.remember(owner, "4", "status", Promise.resolve("status"));
    assert.equal(recent.reply("other@hub.test", "1", "STOP"), undefined);
    assert.equal(recent.size, 3);
  });

  it("goes round its slots many times over and still finds each of the last `size`, and only those", async () => {
    const recent = new RecentCommands(new FakeClock(), { size: 5 });
    for (let n = 0; n < 23; n++) recent.remember(owner, `c${n}`, "status", Promise.resolve(`reply ${n}`));
    assert.equal(recent.size, 5);
    for (let n = 0; n < 18; n++) assert.equal(recent.reply(owner, `c${n}`, "status"), undefined, `c${n} was forgotten`);
    for (let n = 18; n < 23; n++) assert.equal(await recent.reply(owner, `c${n}`, "status"), `reply ${n}`);
  });

  it("answers a repeat of the same command with the newest reply remembered for it", async () => {
    const recent = new RecentCommands(new FakeClock());
    recent.remember(owner, "1", "status", Promise.resolve("older"));
    recent.remember(owner, "1", "status", Promise.resolve("newer"));
    assert.equal(await recent.reply(owner, "1", "status"), "newer");
  });

  it("refuses a size below 1", () => {
    assert.throws(() => new RecentCommands(new FakeClock(), { size: 0 }), /size must be 1 or more, not 0/);
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
