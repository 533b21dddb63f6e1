// The end-to-end scenario every runtime of the microwave passes against a real Prosody: the
// desktop host (test/integration/commands.test.ts) and the Moddable simulator
// (test/sim/microwave.test.ts). An owner and a stranger on @xmpp/client: presence status, help,
// the paper's commands carried out before their receipts, refusals that change no pin.

import { strict as assert } from "node:assert";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import type { DeviceRun } from "./device-process.js";
import { hubClient } from "./hub-client.js";
import type { Hub } from "./prosody.js";

export const MICROWAVE = { user: "microwave", password: "device-secret" };
export const OWNER = { user: "owner", password: "owner-secret" };
export const STRANGER = { user: "stranger", password: "stranger-secret" };

export interface Answer {
  reply: string;
  /** Whether the receipt came, and after the reply. */
  receiptAfterReply: boolean;
}

/** Sends `body` with a receipt request and waits for the reply and the receipt. */
export function ask(client: Client, to: string, body: string, timeoutMs = 10_000): Promise<Answer> {
  const id = `q-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    let reply: string | undefined;
    let receiptAfterReply = false;
    const onStanza = (stanza: Element) => {
      if (!stanza.is("message") || stanza.attrs.from !== to) return;
      const text = stanza.getChildText("body");
      if (text !== null && reply === undefined) reply = text;
      if (stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id === id) {
        receiptAfterReply = reply !== undefined;
        client.off("stanza", onStanza);
        clearTimeout(timer);
        resolve({ reply: reply ?? "", receiptAfterReply });
      }
    };
    const timer = setTimeout(() => {
      client.off("stanza", onStanza);
      reject(new Error(`no receipt for "${body}" within ${timeoutMs} ms (reply: ${reply ?? "none"})`));
    }, timeoutMs);
    client.on("stanza", onStanza);
    client.send(xml("message", { type: "chat", to, id }, xml("body", {}, body), xml("request", { xmlns: "urn:xmpp:receipts" }))).catch(reject);
  });
}

/** The pin lines the device logged since `from`. */
export function pinLines(device: DeviceRun, from: number): string[] {
  return device.output().slice(from).split("\n").filter((line) => / pin\s/.test(line));
}


/**
 * The microwave scenario: `start` runs the device for MICROWAVE with OWNER as its owner, on the
 * hub `hub()` gives (started by the caller with MICROWAVE, OWNER and STRANGER), and resolves
 * once it printed that it is online.
 */
export function microwaveScenario(hub: () => Hub, start: (hub: Hub) => Promise<DeviceRun>): void {
  describe("the example microwave", () => {
    let device: DeviceRun;
    let owner: Client;
    let stranger: Client;
    let to: string;

    before(async () => {
      device = await start(hub());
      to = `${MICROWAVE.user}@${hub().domain}/appliance`;
      owner = hubClient(hub(), OWNER, { resource: "phone" });
      stranger = hubClient(hub(), STRANGER, { resource: "laptop" });
      for (const client of [owner, stranger]) client.on("error", () => {});
      await owner.start();
      await stranger.start();
    });

    after(async () => {
      await owner?.stop().catch(() => {});
      await stranger?.stop().catch(() => {});
      await device?.stop();
    });

    it("shows owners what it does in its presence status, after they subscribe", async () => {
      const statuses: string[] = [];
      owner.on("stanza", (stanza: Element) => {
        if (stanza.is("presence") && stanza.attrs.from === to && !stanza.attrs.type) statuses.push(stanza.getChildText("status") ?? "");
      });
      await owner.send(xml("presence", { to: `${MICROWAVE.user}@${hub().domain}`, type: "subscribe" }));
      await owner.send(xml("presence", {}));
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && statuses.length === 0) await new Promise((r) => setTimeout(r, 50));
      assert.ok(statuses.length > 0, "the device approved the owner's subscription and its presence arrived");
      await ask(owner, to, "PREHEAT 120 30");
      // Updates are rate-limited to one per 10 s: wait for the one after the command.
      const until = Date.now() + 15_000;
      while (Date.now() < until && !statuses.some((status) => /^Preheat 120 C, 30 min left$/.test(status))) await new Promise((r) => setTimeout(r, 100));
      assert.ok(statuses.some((status) => /^Preheat 120 C, 30 min left$/.test(status)), `statuses seen: ${JSON.stringify(statuses)}`);
      await ask(owner, to, "STOP");
    });

    it("answers help with the instruction set, then the receipt", async () => {
      const { reply, receiptAfterReply } = await ask(owner, to, "help");
      assert.ok(receiptAfterReply);
      for (const expected of ["PREHEAT", "GRILL", "STOP", "Preheat", "Grill"]) assert.match(reply, new RegExp(expected));
      assert.match(reply, /50.400/);
      assert.match(reply, /status/);
    });

    it("carries out the paper's PREHEAT 350 20 before it acknowledges it", async () => {
      const from = device.output().length;
      const { reply, receiptAfterReply } = await ask(owner, to, "PREHEAT 350 20");
      assert.match(reply, /^ok/);
      assert.ok(receiptAfterReply, "the receipt follows the reply");
      // The device's log is another process's output: its pin line may arrive after the receipt.
      await device.waitFor(/ pin\s+\S+ \(oven\)/, 10_000, from);
      const status = await ask(owner, to, "status");
      assert.match(status.reply, /PREHEAT 350 20/);
      assert.match(status.reply, /left/);
    });

    it("carries out GRILL 15 and STOP", async () => {
      const grill = await ask(owner, to, "grill 15");
      assert.match(grill.reply, /^ok/);
      const from = device.output().length;
      const stop = await ask(owner, to, "STOP");
      assert.match(stop.reply, /^ok/);
      const status = await ask(owner, to, "status");
      assert.match(status.reply, /nothing running/);
      await device.waitFor(/ pin\s/, 10_000, from); // STOP moved pins back to safe
    });

    for (const [command, reason] of [
      ["PREHEAT 500 20", /^error: .*temp.*between 50 and 400/],
      ["PREHEAT 350", /^error: PREHEAT takes 2 operands/],
      ["GRILL fifteen", /^error: .*time/],
      ["DEFROST 3", /^error: unknown command "DEFROST"/],
    ] as const) {
      it(`refuses "${command}" with the reason, changes nothing, and still acknowledges it`, async () => {
        const from = device.output().length;
        const { reply, receiptAfterReply } = await ask(owner, to, command);
        assert.match(reply, reason);
        assert.ok(receiptAfterReply);
        assert.deepEqual(pinLines(device, from), []);
      });
    }

    it("refuses a stranger's command and help: an error reply the first time, none again within a minute, receipts, no pin changes", async () => {
      const from = device.output().length;
      const first = await ask(stranger, to, "GRILL 15");
      assert.match(first.reply, /^error: stranger@hub\.test is not an owner/);
      assert.ok(first.receiptAfterReply);
      const again = await ask(stranger, to, "help");
      assert.equal(again.reply, "", "a second refusal within a minute is not sent");
      await device.waitFor(/not answered: refused less than a minute ago/, 10_000, from);
      assert.deepEqual(pinLines(device, from), []);
      assert.match(device.output().slice(from), /refused\s+from stranger@/);
      assert.match(device.output().slice(from), /not answered: refused less than a minute ago/);
    });
  });

}
