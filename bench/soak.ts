// `npm run soak`: the fault scenarios of test/integration/faults.test.ts, longer, against a
// Prosody of its own on loopback, printing the counts: 200 forced disconnects under commands, a
// 1,000 msg/s flood, two devices after a trip, 100 oversized messages from a stranger, dead links,
// and handshake faults. Exits 1 when a target is missed (0 lost, duplicated, late; 0 messages beyond
// the first notice; 0 disconnects; every dead link noticed).
// Options: --cuts N (200), --flood-rate N (1000), --flood-s N (10), --dead-links N (10), --seed N,
// --only NAME (cuts, flood, trip, oversized, dead-link, handshake: that scenario alone).

import { startTestHub } from "../test/support/prosody.js";
import { FAULT_ACCOUNTS, cutRun, deadLinkRun, floodRun, handshakeFaultRun, oversizedRun, stripStarttlsRun, tripRun } from "../test/support/fault-scenarios.js";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`soak: --${name} takes a whole number, got ${process.argv[at + 1] ?? "nothing"}`);
    process.exit(2);
  }
  return value;
}

if (process.argv.includes("--help")) {
  console.log("usage: npm run soak [-- --cuts 200 --flood-rate 1000 --flood-s 10 --dead-links 10 --seed 1]");
  process.exit(0);
}
const cuts = option("cuts", 200);
const rate = option("flood-rate", 1000);
const floodS = option("flood-s", 10);
const deadLinks = option("dead-links", 10);
const seed = option("seed", 1);
const deadLinkS = 5;
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt < 0 ? undefined : process.argv[onlyAt + 1];
const runs = (name: string) => only === undefined || only === name;

const missed: string[] = [];
const check = (what: string, ok: boolean) => {
  if (!ok) missed.push(what);
};

console.log(`soak: Prosody on loopback; the desktop device behind a fault proxy (seed ${seed})`);
const hub = await startTestHub(FAULT_ACCOUNTS, { server: "prosody" });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await hub.stop();
};
process.on("SIGINT", () => void stop().then(() => process.exit(130)));
try {
  if (runs("cuts")) {
    const cut = await cutRun(hub, { cuts, seed });
    console.log(`cuts: ${cut.cuts} forced disconnects in ${cut.seconds.toFixed(0)} s; ${cut.sent} commands sent (${cut.resends} sent again by the owner, ${cut.recognised} recognised as repeats; ${cut.resumed} sessions resumed, ${cut.fresh} fresh): ${cut.lost} lost, ${cut.duplicated} duplicated, ${cut.late} carried out late, ${cut.unacknowledged} carried out without a receipt`);
    check("cuts: 0 lost, 0 duplicated, 0 late, 0 unacknowledged", cut.lost + cut.duplicated + cut.late + cut.unacknowledged === 0);
  }
  if (runs("flood")) {
    const flood = await floodRun(hub, { rate, seconds: floodS });
    console.log(`flood: ${flood.sent} status requests at ${rate}/s: ${flood.replies} replies (${flood.busy} busy), ${flood.receipts} receipts, ${flood.disconnects} disconnects, ${flood.seconds.toFixed(1)} s`);
    if (flood.offline.length > 0) console.log(`flood: offline: ${flood.offline.join("; ")}`);
    check("flood: every request answered, no disconnect", flood.receipts === flood.sent && flood.replies === flood.sent && flood.disconnects === 0);
  }
  if (runs("trip")) {
    const trip = await tripRun(hub);
    console.log(`trip: two devices, each the other's owner: ${trip.notices} notice, ${trip.beyondFirstNotice} messages beyond it`);
    check("trip: 0 messages beyond the first notice", trip.notices === 1 && trip.beyondFirstNotice === 0);
  }
  if (runs("oversized")) {
    const big = await oversizedRun(hub, 100);
    console.log(`oversized: ${big.sent} bodies of 17 KB from a stranger: ${big.refusals} policy-violation replies, ${big.disconnects} disconnects, owner answered after: ${big.ownerAnswered}`);
    check("oversized: 0 disconnects", big.disconnects === 0 && big.ownerAnswered);
  }
  if (runs("dead-link")) {
    const dead = await deadLinkRun(hub, { runs: deadLinks, deadLinkS });
    const worst = Math.max(...dead.noticedAfterMs);
    console.log(`dead link: ${dead.noticed} of ${dead.runs} frozen links given up for their silence (dead_link_s=${deadLinkS}); after ${Math.min(...dead.noticedAfterMs)}–${worst} ms`);
    check("dead link: every one noticed within dead_link_s", dead.noticed === dead.runs && worst <= deadLinkS * 1000 + 500);
  }
  if (runs("handshake")) {
    const proceed = await handshakeFaultRun(hub, "cut-after-proceed", 10);
    console.log(`cut 20 ms after <proceed/>: ${proceed.faults} times; device exited: ${proceed.exited}; online after: ${proceed.online}`);
    check("cut after proceed: retried, online", !proceed.exited && proceed.online);
    const blackhole = await handshakeFaultRun(hub, "blackhole", 1);
    console.log(`blackhole: ${blackhole.faults} connections accepted and never answered (each waits out the 30 s step timeout); device exited: ${blackhole.exited}; online after: ${blackhole.online}`);
    check("blackhole: retried, online", !blackhole.exited && blackhole.online);
    const strip = await stripStarttlsRun(hub);
    console.log(`STARTTLS stripped: device exit code ${strip.exitCode}; credentials sent in the clear: ${strip.credentialsSent}`);
    check("STARTTLS stripped: stopped, no credentials", strip.exitCode !== 0 && strip.exitCode !== null && !strip.credentialsSent);
  }
} finally {
  await stop();
}
if (missed.length > 0) {
  console.log(`soak: missed: ${missed.join("; ")}`);
  process.exitCode = 1;
} else {
  console.log("soak: every target met");
}
