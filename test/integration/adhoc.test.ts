// The structured instruction set against a real Prosody and a real ejabberd: an owner on @xmpp/client discovers the
// desktop microwave's ad-hoc commands and caps, fills in PREHEAT's form and sees the oven's pin
// move; an out-of-range value gets the chat command's error and moves nothing; a stranger is refused.

import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { HUB_SERVERS, startTestHub, type Hub } from "../support/prosody.js";
import { hubClient } from "../support/hub-client.js";
import { AdHocClient } from "../../owner/adhoc.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";

const MICROWAVE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };
const STRANGER = { user: "stranger", password: "stranger-secret" };
const COMMANDS = "http://jabber.org/protocol/commands";
const CAPS = "http://jabber.org/protocol/caps";
const DISCO_INFO = "http://jabber.org/protocol/disco#info";
const DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
const CAPS_NODE = "https://github.com/xmpp-appliance/firmware";

/** The pin lines the device logged since `from`. */
function pinLines(device: DeviceRun, from: number): string[] {
  return device.output().slice(from).split("\n").filter((line) => / pin\s/.test(line));
}

/** XEP-0115 §5.1 written again here, independently of the firmware's, over what disco#info answered. */
function verOf(query: Element): string {
  const identities = query.getChildren("identity").map((i) => `${i.attrs.category}/${i.attrs.type}/${i.attrs["xml:lang"] ?? ""}/${i.attrs.name ?? ""}<`);
  const features = query.getChildren("feature").map((f) => `${f.attrs.var}<`);
  const bytes = (list: string[]) => list.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return createHash("sha1").update([...bytes(identities), ...bytes(features)].join("")).digest("base64");
}

for (const server of HUB_SERVERS) describe(`ad-hoc commands over XMPP (${server})`, function () {
  this.timeout(90_000);
  let hub: Hub;
  let device: DeviceRun;
  let owner: Client;
  let stranger: Client;
  let to: string;
  const presences: Element[] = [];

  const command = async (client: Client, attrs: Record<string, string>, ...children: Element[]): Promise<Element> => {
    const result = await client.iqCaller.request(xml("iq", { type: "set", to }, xml("command", { xmlns: COMMANDS, ...attrs }, ...children)), 10_000);
    return result.getChild("command", COMMANDS)!;
  };
  const submit = (fields: Record<string, string>) =>
    xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...Object.entries(fields).map(([name, value]) => xml("field", { var: name }, xml("value", {}, value))));

  before(async () => {
    hub = await startTestHub([MICROWAVE, OWNER, STRANGER], { server });
    device = runDevice(microwaveManifest, deviceSettings(hub, MICROWAVE, OWNER.user));
    await device.waitFor(/online\s+\S+/);
    to = `${MICROWAVE.user}@${hub.domain}/appliance`;
    owner = hubClient(hub, OWNER, { resource: "gajim" });
    stranger = hubClient(hub, STRANGER, { resource: "laptop" });
    for (const client of [owner, stranger]) client.on("error", () => {});
    owner.on("stanza", (stanza: Element) => {
      if (stanza.is("presence") && stanza.attrs.from === to && !stanza.attrs.type) presences.push(stanza);
    });
    await owner.start();
    await stranger.start();
  });

  after(async () => {
    await owner?.stop().catch(() => {});
    await stranger?.stop().catch(() => {});
    await device?.stop();
    await hub?.stop();
  });

  it("announces commands, data forms and caps in disco#info, as a bot named after the device", async () => {
    const result = await owner.iqCaller.request(xml("iq", { type: "get", to }, xml("query", { xmlns: DISCO_INFO })), 10_000);
    const query = result.getChild("query", DISCO_INFO)!;
    assert.deepEqual({ ...query.getChild("identity")!.attrs }, { category: "client", type: "bot", name: "Microwave" });
    const features = query.getChildren("feature").map((feature) => feature.attrs.var);
    for (const feature of [COMMANDS, "jabber:x:data", CAPS, DISCO_ITEMS, "urn:xmpp:receipts", "urn:xmpp:ping"]) assert.ok(features.includes(feature), `${feature} in ${features.join(" ")}`);
  });

  it("the server itself offers ad-hoc commands (and on Prosody carbons), which stock clients look for", async () => {
    const result = await owner.iqCaller.request(xml("iq", { type: "get", to: hub.domain }, xml("query", { xmlns: DISCO_INFO })), 10_000);
    const features = result.getChild("query", DISCO_INFO)!.getChildren("feature").map((feature) => feature.attrs.var);
    assert.ok(features.includes(COMMANDS), `${COMMANDS} in ${features.join(" ")}`);
    if (server === "prosody") assert.ok(features.includes("urn:xmpp:carbons:2"), `carbons in ${features.join(" ")}`);
  });

  it("shows a subscribed owner its caps in presence, whose ver matches what disco#info answers for node#ver", async () => {
    await owner.send(xml("presence", { to: `${MICROWAVE.user}@${hub.domain}`, type: "subscribe" }));
    await owner.send(xml("presence", {}));
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && presences.length === 0) await new Promise((r) => setTimeout(r, 50));
    assert.ok(presences.length > 0, "the device's presence arrived");
    const c = presences[0]!.getChild("c", CAPS);
    assert.ok(c, `caps in ${presences[0]!.toString()}`);
    assert.equal(c.attrs.hash, "sha-1");
    assert.equal(c.attrs.node, CAPS_NODE);
    const node = `${CAPS_NODE}#${c.attrs.ver}`;
    const result = await owner.iqCaller.request(xml("iq", { type: "get", to }, xml("query", { xmlns: DISCO_INFO, node })), 10_000);
    const query = result.getChild("query", DISCO_INFO)!;
    assert.equal(query.attrs.node, node);
    assert.equal(verOf(query), c.attrs.ver);
  });

  it("lists PREHEAT, GRILL, STOP, status, declaration and settings under the commands node", async () => {
    const result = await owner.iqCaller.request(xml("iq", { type: "get", to }, xml("query", { xmlns: DISCO_ITEMS, node: COMMANDS })), 10_000);
    const items = result.getChild("query", DISCO_ITEMS)!.getChildren("item");
    assert.deepEqual(items.map((item) => [item.attrs.jid, item.attrs.node, item.attrs.name]), [
      [to, "PREHEAT", "Preheat"],
      [to, "GRILL", "Grill"],
      [to, "STOP", "Stop everything"],
      [to, "status", "Status"],
      [to, "declaration", "Change the instruction set"],
      [to, "settings", "Settings"],
    ]);
  });

  it(server === "prosody"
    ? "lists the same commands on the bare JID to a subscribed owner, each item naming the full JID (the hub's device_commands module)"
    : "answers the bare JID's commands node with an empty list (ejabberd 23.01: use the full JID)", async () => {
    const bare = `${MICROWAVE.user}@${hub.domain}`;
    const result = await owner.iqCaller.request(xml("iq", { type: "get", to: bare }, xml("query", { xmlns: DISCO_ITEMS, node: COMMANDS })), 10_000);
    const items = result.getChild("query", DISCO_ITEMS)!.getChildren("item").map((item) => [item.attrs.jid, item.attrs.node, item.attrs.name]);
    if (server === "prosody") assert.deepEqual(items, [[to, "PREHEAT", "Preheat"], [to, "GRILL", "Grill"], [to, "STOP", "Stop everything"], [to, "status", "Status"], [to, "declaration", "Change the instruction set"], [to, "settings", "Settings"]]);
    else assert.deepEqual(items, []);
  });

  it("gives a stranger no commands on the bare JID, and the device is not asked for them", async () => {
    const from = device.output().length;
    const bare = `${MICROWAVE.user}@${hub.domain}`;
    const answer = await stranger.iqCaller.request(xml("iq", { type: "get", to: bare }, xml("query", { xmlns: DISCO_ITEMS, node: COMMANDS })), 10_000)
      .then((result) => result.getChild("query", DISCO_ITEMS)!.getChildren("item").length, (error: { condition?: string }) => error.condition);
    assert.ok(answer === 0 || typeof answer === "string", `no items for a stranger, got ${String(answer)}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(device.output().slice(from), /stranger/);
  });

  it("returns PREHEAT's form with the ranges, and carries out 350/20: a completed note starting ok, the oven's pin moving", async () => {
    const form = await command(owner, { node: "PREHEAT", action: "execute" });
    assert.equal(form.attrs.status, "executing");
    const x = form.getChild("x", "jabber:x:data")!;
    assert.equal(x.getChildText("title"), "Preheat");
    const ranges = x.getChildren("field").map((field) => {
      const range = field.getChild("validate", "http://jabber.org/protocol/xdata-validate")!.getChild("range")!;
      return [field.attrs.var, field.attrs.label, range.attrs.min, range.attrs.max];
    });
    assert.deepEqual(ranges, [["temp", "TEMP (C, 50–400)", "50", "400"], ["time", "TIME (min, 1–120)", "1", "120"]]);

    const from = device.output().length;
    const done = await command(owner, { node: "PREHEAT", sessionid: form.attrs.sessionid!, action: "complete" }, submit({ temp: "350", time: "20" }));
    assert.equal(done.attrs.status, "completed");
    assert.equal(done.getChild("note")?.attrs.type, "info");
    assert.match(done.getChildText("note") ?? "", /^ok: PREHEAT 350 20/);
    // The device's log is another process's stdout: its pin line may arrive after the iq answer.
    await device.waitFor(/ pin\s+\S+ \(oven\)/, 10_000, from);
  });

  it("refuses 500 with an iq error (bad-request, bad-payload) whose text is the chat command's error, and moves no pin", async () => {
    await command(owner, { node: "STOP" });
    const form = await command(owner, { node: "PREHEAT" });
    const from = device.output().length;
    await assert.rejects(command(owner, { node: "PREHEAT", sessionid: form.attrs.sessionid!, action: "complete" }, submit({ temp: "500", time: "20" })),
      (error: { condition?: string; text?: string; application?: Element }) => {
        assert.equal(error.condition, "bad-request");
        assert.equal(error.text, "error: temp must be between 50 and 400 C, got 500");
        assert.equal(error.application?.name, "bad-payload");
        return true;
      });
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(pinLines(device, from), []);
  });

  it("gives the owner library the refusal as a refused step holding the device's reply, and a good value as completed", async () => {
    const commands = new AdHocClient(owner, 10_000);
    const form = await commands.execute(to, "PREHEAT");
    assert.equal(form.status, "executing");
    if (form.status !== "executing") return;
    assert.deepEqual(await commands.complete(to, form, new Map([["temp", "500"], ["time", "20"]])),
      { status: "refused", node: "PREHEAT", note: { type: "error", text: "error: temp must be between 50 and 400 C, got 500" } });
    const again = await commands.execute(to, "PREHEAT");
    if (again.status !== "executing") return assert.fail(`a form, got ${again.status}`);
    const done = await commands.complete(to, again, new Map([["temp", "200"], ["time", "5"]]));
    assert.equal(done.status, "completed");
    assert.match(done.note?.text ?? "", /^ok: PREHEAT 200 5/);
  });

  it("completes STOP at once, and status with the device's status", async () => {
    await command(owner, { node: "GRILL" }).then((form) => command(owner, { node: "GRILL", sessionid: form.attrs.sessionid!, action: "complete" }, submit({ time: "5" })));
    const from = device.output().length;
    const stop = await command(owner, { node: "STOP", action: "execute" });
    assert.equal(stop.attrs.status, "completed");
    assert.match(stop.getChildText("note") ?? "", /^ok: STOP/);
    // STOP switched the grill off (the line may come after the answer: it is another process's stdout).
    await device.waitFor(/ pin\s+\S+ \(grill\) -> 0/, 10_000, from);
    const status = await command(owner, { node: "status" });
    assert.match(status.getChildText("note") ?? "", /^Microwave: status\n[\s\S]*nothing running/);
  });

  it("refuses a stranger the list and the commands with forbidden", async () => {
    const from = device.output().length;
    await assert.rejects(
      stranger.iqCaller.request(xml("iq", { type: "get", to }, xml("query", { xmlns: DISCO_ITEMS, node: COMMANDS })), 10_000),
      (error: { condition?: string }) => error.condition === "forbidden",
    );
    for (const node of ["PREHEAT", "STOP"]) {
      await assert.rejects(command(stranger, { node, action: "execute" }), (error: { condition?: string }) => error.condition === "forbidden");
    }
    assert.deepEqual(pinLines(device, from), []);
    assert.match(device.output().slice(from), /refused\s+from stranger@/);
  });

  // Last: it stops the device.
  it("leaves the bare JID of a device gone offline to the server: no commands listed", async () => {
    await device.stop();
    const bare = `${MICROWAVE.user}@${hub.domain}`;
    const answer = await owner.iqCaller.request(xml("iq", { type: "get", to: bare }, xml("query", { xmlns: DISCO_ITEMS, node: COMMANDS })), 10_000)
      .then((result) => result.getChild("query", DISCO_ITEMS)!.getChildren("item").length, (error: { condition?: string }) => error.condition);
    // Prosody: "Node does not exist"; ejabberd: an empty list.
    assert.equal(answer, server === "prosody" ? "item-not-found" : 0);
  });
});
