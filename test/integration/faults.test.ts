// Faults between the desktop device and a real Prosody, injected by a loopback proxy
// (test/support/fault-proxy.ts), in bounded runs: random cuts while an owner sends commands,
// a cut just after <proceed/>, STARTTLS stripped, a frozen link, two devices after a trip, and a
// stranger's oversized messages. `npm run soak` runs the same scenarios longer and prints the counts.

import { strict as assert } from "node:assert";
import { startTestHub, type Hub } from "../support/prosody.js";
import { FAULT_ACCOUNTS, cutRun, deadLinkRun, handshakeFaultRun, oversizedRun, stripStarttlsRun, tripRun } from "../support/fault-scenarios.js";

describe("faults between the device and prosody (fault proxy)", function () {
  this.timeout(180_000);
  let hub: Hub;

  before(async () => {
    hub = await startTestHub(FAULT_ACCOUNTS, { server: "prosody" });
  });

  after(async () => {
    await hub?.stop();
  });

  it("20 cuts at random moments while the owner sends commands with receipts: 0 lost, 0 duplicated, 0 carried out late", async () => {
    const counts = await cutRun(hub, { cuts: 20, seed: 10 });
    console.log(`      cuts: ${JSON.stringify(counts)}`);
    assert.ok(counts.cuts >= 20 && counts.sent > 0, JSON.stringify(counts));
    assert.deepEqual({ lost: counts.lost, duplicated: counts.duplicated, late: counts.late, unacknowledged: counts.unacknowledged }, { lost: 0, duplicated: 0, late: 0, unacknowledged: 0 });
  });

  it("a connection cut 20 ms after <proceed/> is retried (3 times), never the end of the device", async () => {
    const counts = await handshakeFaultRun(hub, "cut-after-proceed", 3);
    assert.deepEqual(counts, { exited: false, faults: 3, online: true });
  });

  it("STARTTLS stripped from the server's features: the device stops, says why, and sends no credentials", async () => {
    const counts = await stripStarttlsRun(hub);
    assert.notEqual(counts.exitCode, 0);
    assert.notEqual(counts.exitCode, null, "the device stopped");
    assert.match(counts.error, /STARTTLS/i);
    assert.equal(counts.credentialsSent, false);
  });

  it("a frozen link (open, nothing passes) is given up for its silence, dead_link_s=4", async () => {
    const counts = await deadLinkRun(hub, { runs: 2, deadLinkS: 4 });
    console.log(`      dead link: ${JSON.stringify(counts)}`);
    assert.equal(counts.noticed, counts.runs);
  });

  it("two devices, each the other's owner, after a trip: nothing beyond the first notice", async () => {
    const counts = await tripRun(hub);
    assert.deepEqual(counts, { notices: 1, beyondFirstNotice: 0 });
  });

  it("100 oversized messages from a stranger: 0 disconnects, each refused, the owner still answered", async () => {
    const counts = await oversizedRun(hub, 100);
    assert.deepEqual(counts, { sent: 100, refusals: 100, disconnects: 0, ownerAnswered: true });
  });
});
