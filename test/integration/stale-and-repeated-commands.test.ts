// Stale and repeated commands against a stock Prosody (offline storage on, as on a router): a
// command that waited for the device while it was off, or while it was cut off long enough to go
// safe, is refused when it arrives, with when it was sent, and its receipt still goes out; a
// command sent again with the same id gets its first reply again and is carried out once.

import { strict as assert } from "node:assert";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { startTestHub, type Hub } from "../support/prosody.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { FAULT_ACCOUNTS, LAMP, deviceBehindProxy, logged, startOwner, trippingLampManifest } from "../support/fault-scenarios.js";
import { MICROWAVE, OWNER } from "../support/microwave-scenario.js";

describe("stale and repeated commands against a stock prosody (offline storage on)", function () {
  this.timeout(90_000);
  let hub: Hub;
  let owner: Client;
  const inbox: Element[] = [];

  before(async () => {
    hub = await startTestHub(FAULT_ACCOUNTS, { server: "prosody", offlineStorage: true });
    owner = await startOwner(hub);
    owner.on("stanza", (stanza: Element) => {
      if (stanza.is("message")) inbox.push(stanza);
    });
  });

  after(async () => {
    await owner?.stop().catch(() => {});
    await hub?.stop();
  });

  /** The reply and the receipt for message `id` from `user`, once both came (the `copy`-th of each, from 0). */
  async function answer(user: string, id: string, copy = 0): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const from = (stanza: Element) => stanza.attrs.from?.startsWith(`${user}@`);
      const receipt = inbox.filter((stanza) => from(stanza) && stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id === id)[copy];
      const reply = inbox.filter((stanza) => from(stanza) && /refused as stale|^ok|^error/.test(stanza.getChildText("body") ?? ""))[copy];
      if (receipt && reply) return reply.getChildText("body")!;
      if (Date.now() > deadline) throw new Error(`no reply and receipt for ${id}: ${inbox.map(String).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function command(to: string, id: string, body: string) {
    return owner.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" })));
  }

  it("refuses a GRILL 15 the hub stored while the device was off, when it starts; nothing switched", async () => {
    await command(`${MICROWAVE.user}@${hub.domain}`, "while-off", "GRILL 15");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    let device: DeviceRun | undefined;
    try {
      device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
      const reply = await answer(MICROWAVE.user, "while-off");
      assert.match(reply, /^error: refused as stale, nothing was changed: sent at \S+Z, held for the device while it was offline, and the device started, in its safe state, at \S+Z/);
      assert.deepEqual(logged(device, "message"), [], "nothing carried out");
      assert.equal(logged(device, "stale").length, 1);
      const sinceOnline = device.output().slice(device.output().search(/online\s+\S+/));
      assert.doesNotMatch(sinceOnline, / pin\s.*\(grill\)/, "the grill's pin never moved");
    } finally {
      await device?.stop();
    }
  });

  it("refuses a command held for the device while it was cut off past its grace time, when it is back", async () => {
    const { proxy, device, stop, to } = await deviceBehindProxy(hub, {}, trippingLampManifest, LAMP);
    try {
      await device.waitFor(/online\s+\S+/, 30_000);
      proxy.mode = "refuse";
      proxy.cut();
      await device.waitFor(/offline\s+/, 10_000);
      await command(to, "while-cut", "ON");
      await device.waitFor(/safe\s+disconnected from the hub/, 15_000);
      proxy.mode = "pass";
      const reply = await answer(LAMP.user, "while-cut").catch((error: Error) => {
        throw new Error(`${error.message}\nthe lamp printed:\n${device.output()}`);
      });
      assert.match(reply, /^error: refused as stale, nothing was changed: sent at \S+Z, held for the device while it was offline, and the device went to its safe state at \S+Z/);
      assert.deepEqual(logged(device, "message"), [], "nothing carried out");
      assert.ok(logged(device, "resumed").length + logged(device, "online").length >= 2, "the device came back");
    } finally {
      await stop();
    }
  });

  it("answers a command sent again with the same id (a client repeating what it thinks was lost) with the first reply, carrying it out once", async () => {
    inbox.length = 0;
    const device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    try {
      await device.waitFor(/online\s+\S+/, 30_000);
      const to = `${MICROWAVE.user}@${hub.domain}/appliance`;
      await command(to, "twice", "GRILL 15");
      const first = await answer(MICROWAVE.user, "twice");
      await command(to, "twice", "GRILL 15");
      const again = await answer(MICROWAVE.user, "twice", 1);
      assert.match(first, /^ok: GRILL 15/);
      assert.equal(again, first);
      assert.deepEqual(logged(device, "message").map((line) => line.replace(/^from [^:]+: /, "")), ["GRILL 15"]);
      assert.equal(logged(device, "duplicate").length, 1);
    } finally {
      await device.stop();
    }
  });
});
