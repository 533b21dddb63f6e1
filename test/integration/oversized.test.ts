// Oversized input against a real Prosody: a stranger's 17 KB body and a 20-deep nest (Prosody relays
// stanzas up to 256 KiB) get a policy-violation error back, and the device stays online for its owner.

import { strict as assert } from "node:assert";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { startTestHub, type Hub } from "../support/prosody.js";
import { hubClient } from "../support/hub-client.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { MICROWAVE, OWNER, STRANGER, ask } from "../support/microwave-scenario.js";

describe("desktop device against prosody: stanzas over its limits", function () {
  this.timeout(60_000);
  let hub: Hub;
  let device: DeviceRun;
  let owner: Client;
  let stranger: Client;
  const errors: Element[] = [];

  before(async () => {
    hub = await startTestHub([MICROWAVE, OWNER, STRANGER], { server: "prosody" });
    device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    await device.waitFor(/online\s+\S+/);
    owner = hubClient(hub, OWNER, { resource: "console" });
    stranger = hubClient(hub, STRANGER, { resource: "laptop" });
    for (const client of [owner, stranger]) client.on("error", () => {});
    stranger.on("stanza", (stanza: Element) => {
      if (stanza.attrs.type === "error") errors.push(stanza);
    });
    await owner.start();
    await stranger.start();
  });

  after(async () => {
    await owner?.stop().catch(() => {});
    await stranger?.stop().catch(() => {});
    if (device) await device.stop();
    await hub?.stop();
  });

  async function errorFor(id: string): Promise<Element> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = errors.find((stanza) => stanza.attrs.id === id);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no error reply for ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("answers a stranger's 17 KB body and a 20-deep nest with policy-violation, and stays online", async () => {
    const to = `${MICROWAVE.user}@${hub.domain}/appliance`;
    const onlineLines = () => device.output().match(/online\s+\S+/g)?.length ?? 0;
    const before = onlineLines();
    await stranger.send(xml("message", { type: "chat", to, id: "big" }, xml("body", {}, "x".repeat(17 * 1024))));
    let nest = xml("a", {});
    for (let i = 0; i < 19; i++) nest = xml("a", {}, nest);
    await stranger.send(xml("message", { type: "chat", to, id: "deep" }, nest));
    for (const id of ["big", "deep"]) {
      const refusal = await errorFor(id);
      assert.equal(refusal.attrs.from, to);
      assert.ok(refusal.getChild("error")?.getChild("policy-violation", "urn:ietf:params:xml:ns:xmpp-stanzas"), refusal.toString());
    }
    const answer = await ask(owner, to, "status");
    assert.ok(answer.reply.length > 0 && answer.receiptAfterReply, "the owner is still answered");
    assert.equal(onlineLines(), before, "the device never went offline and back");
    assert.doesNotMatch(device.output(), /offline/);
  });
});
