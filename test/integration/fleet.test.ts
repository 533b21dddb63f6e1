// `npm run fleet` against a real hub: three microwaves in one process on the hub's fleet accounts,
// each its own device (an owner commands one, the others stay as they were), an account whose
// password is wrong reported by name while the rest come online, and a bad manifest stopping
// the fleet before any login.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { fleetUser, fleetUsers } from "../../hosts/node/hub/fleet-accounts.js";
import { microwaveManifest } from "../support/device-process.js";
import { runFleet, storeFleetAccounts, writeFleetHubFile } from "../support/fleet-process.js";
import { hubClient } from "../support/hub-client.js";
import { ask } from "../support/microwave-scenario.js";
import { HUB_SERVERS, type Hub, startTestHub } from "../support/prosody.js";

const OWNER = { user: "owner", password: "owner-secret" };

for (const server of HUB_SERVERS) describe(`npm run fleet on ${server}`, function () {
  this.timeout(120_000);
  let hub: Hub;
  let dir: string;
  const members = fleetUsers(3).map((user) => ({ user, password: `${user}-secret` }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-fleet-"));
    hub = await startTestHub([OWNER, ...members], { server, dir, contacts: { owner: OWNER.user, devices: members.map(({ user }) => user) } });
    writeFleetHubFile(dir, hub, OWNER.user);
  });
  after(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const storeAccounts = (accounts: readonly { user: string; password: string }[]) => storeFleetAccounts(dir, accounts);

  it("runs independent appliances in one process: each logs in, an owner's command changes only the one it went to", async () => {
    storeAccounts(members);
    const fleet = runFleet([microwaveManifest, "--count", "3", "--hub", dir, "--rate", "20"]);
    let owner: Client | undefined;
    try {
      await fleet.waitFor(/fleet: 3 of 3 online in [\d.]+ s \([\d.]+ logins\/s\), 0 failed/, 90_000);
      await fleet.waitFor(/heap [\d.]+ MiB for 3 appliances = [\d.]+ KiB each; process RSS/, 30_000);
      owner = hubClient(hub, OWNER, { resource: "phone" });
      owner.on("error", () => {});
      // The hub put the fleet in the owner's roster, subscribed both ways: its presence comes without asking.
      const online = new Set<string>();
      owner.on("stanza", (stanza: Element) => {
        const from = String(stanza.attrs.from).split("/")[0]!;
        // Its own presence comes back too: only the devices count.
        if (stanza.is("presence") && stanza.attrs.type === undefined && from !== `${OWNER.user}@${hub.domain}`) online.add(from);
      });
      const roster = new Promise<Element>((resolve) => owner!.on("online", () => resolve(owner!.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster" }))))));
      await owner.start();
      const items = (await roster).getChild("query")!.getChildren("item").map((item) => `${item.attrs.jid} ${item.attrs.subscription}`).sort();
      assert.deepEqual(items, members.map(({ user }) => `${user}@${hub.domain} both`));
      await owner.send(xml("presence", {}));
      for (let wait = 0; wait < 100 && online.size < 3; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual([...online].sort(), members.map(({ user }) => `${user}@${hub.domain}`));
      const target = `${fleetUser(2)}@${hub.domain}/appliance`;
      const other = `${fleetUser(3)}@${hub.domain}/appliance`;
      const preheat = await ask(owner, target, "PREHEAT 200 5");
      assert.match(preheat.reply, /^ok/);
      assert.ok(preheat.receiptAfterReply);
      assert.match((await ask(owner, target, "status")).reply, /PREHEAT 200 5/);
      assert.match((await ask(owner, other, "status")).reply, /nothing running/);
    } finally {
      await owner?.stop().catch(() => {});
      await fleet.stop();
    }
    assert.doesNotMatch(fleet.output(), /failed:|error:/);
  });

  it("reports an account that cannot log in by name while the others come online", async () => {
    storeAccounts(members.map((member) => (member.user === fleetUser(2) ? { ...member, password: "wrong" } : member)));
    const fleet = runFleet([microwaveManifest, "--count", "3", "--hub", dir, "--rate", "20"]);
    try {
      await fleet.waitFor(/fleet: 2 of 3 online in [\d.]+ s \([\d.]+ logins\/s\), 1 failed/, 90_000);
    } finally {
      await fleet.stop();
    }
    assert.match(fleet.output(), new RegExp(`${fleetUser(2)} failed: .*credentials`));
    assert.doesNotMatch(fleet.output(), new RegExp(`${fleetUser(1)} failed|${fleetUser(3)} failed`));
  });

  it("stops before any login with the device error when the manifest is bad", async () => {
    storeAccounts(members);
    const bad = join(dir, "bad-manifest.json");
    writeFileSync(bad, JSON.stringify({ config: { device: { name: "Broken", drivers: [], opcodes: [{ opcode: "GO" }] } } }));
    const fleet = runFleet([bad, "--count", "3", "--hub", dir]);
    assert.equal(await fleet.exit, 2);
    assert.match(fleet.output(), /^error: .*bad-manifest\.json/m);
    assert.doesNotMatch(fleet.output(), /online|logging in/);
  });

  it("says how to make the accounts when the hub has fewer than --count", async () => {
    storeAccounts(members);
    const fleet = runFleet([microwaveManifest, "--count", "5", "--hub", dir]);
    assert.equal(await fleet.exit, 2);
    assert.match(fleet.output(), /has 3 of the 5 fleet accounts \(no fleet-00004\); restart it with: npm run hub -- --fleet 5/);
  });
});
