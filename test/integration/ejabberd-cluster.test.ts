// The ejabberd hub as a cluster of two nodes on loopback: accounts made once reach both nodes,
// the balancer spreads connections over them, a message crosses from one node to the other,
// and with one node stopped new connections go to the one left.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { hubClient } from "../support/hub-client.js";
import { type Hub, startTestHub } from "../support/prosody.js";

const owner = { user: "owner", password: "owner secret" };
const device = { user: "fleet-00001", password: "device \"quoted\" \\ secret" };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A client logged in directly on the node at `node` (0 or 1), not through the balancer. */
async function onNode(hub: Hub, node: number, account: { user: string; password: string }): Promise<Client> {
  const client = hubClient({ ...hub, c2sPort: hub.nodes![node]!.c2sPort }, account, { resource: `node${node}` });
  client.on("error", () => {});
  await client.start();
  return client;
}

describe("hub: an ejabberd cluster of two nodes", function () {
  this.timeout(120_000);
  let hub: Hub;
  const clients: Client[] = [];

  before(async () => {
    hub = await startTestHub([owner, device], { server: "ejabberd", nodes: 2 });
  });
  after(async () => {
    for (const client of clients) await client.stop().catch(() => {});
    await hub?.stop();
  });

  it("runs two nodes with distinct names, ports and processes, and a balancer in front", () => {
    const nodes = hub.nodes!;
    assert.equal(nodes.length, 2);
    assert.notEqual(nodes[0]!.name, nodes[1]!.name);
    assert.notEqual(nodes[0]!.c2sPort, nodes[1]!.c2sPort);
    assert.ok(nodes.every((node) => node.c2sPort !== hub.c2sPort), "clients of the hub go through the balancer");
    for (const node of nodes) assert.ok(isAlive(node.pid), `${node.name} runs`);
  });

  it("knows the accounts on the node that joined, and carries a message from one node to the other", async () => {
    const sender = await onNode(hub, 0, owner);
    const receiver = await onNode(hub, 1, device);
    clients.push(sender, receiver);
    receiver.iqCallee.get("urn:xmpp:ping", "ping", () => true);
    const arrived = new Promise<string>((resolve) => {
      receiver.on("stanza", (stanza: Element) => {
        if (stanza.is("message")) resolve(stanza.getChildText("body") ?? "");
      });
    });
    // A session opened a moment ago on one node reaches the other's routing table shortly after
    // (replicated Mnesia): ping it, a bounded number of times, before the message.
    const to = `${device.user}@${hub.domain}/node1`;
    let answered = false;
    for (let attempt = 0; attempt < 20 && !answered; attempt++) {
      answered = await sender.iqCaller.request(xml("iq", { type: "get", to }, xml("ping", { xmlns: "urn:xmpp:ping" })), 5000).then(() => true, () => false);
      if (!answered) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(answered, `${to} on the second node answers a ping from the first`);
    await sender.send(xml("message", { to, type: "chat" }, xml("body", {}, "PREHEAT 350 20")));
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("nothing within 15 s"), 15_000));
    assert.equal(await Promise.race([arrived, timeout]), "PREHEAT 350 20");
  });

  it("sends connections through the balancer to both nodes, and to the other one when a node stops", async () => {
    const nodes = hub.nodes!;
    // Each node logs the logins it accepted: one more on each means one connection went to each.
    const logins = () => nodes.map((node) => (readFileSync(node.logPath, "utf8").match(/authentication for owner@/g) ?? []).length);
    const before = logins();
    const first = hubClient(hub, owner, { resource: "a" });
    const second = hubClient(hub, owner, { resource: "b" });
    for (const client of [first, second]) client.on("error", () => {});
    clients.push(first, second);
    await first.start();
    await second.start();
    const added = () => logins().map((count, i) => count - before[i]!);
    // ejabberd's logger writes its file a moment later.
    for (let wait = 0; wait < 50 && added().join() !== "1,1"; wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(added(), [1, 1], "one login on each node");
    await nodes[1]!.stop();
    assert.equal(isAlive(nodes[1]!.pid), false, "the second node is gone");
    assert.ok(isAlive(nodes[0]!.pid), "the first node still runs");
    for (let attempt = 0; attempt < 3; attempt++) {
      const late = hubClient(hub, owner, { resource: `late${attempt}` });
      late.on("error", () => {});
      clients.push(late);
      const address = await late.start();
      assert.equal(address.toString(), `${owner.user}@${hub.domain}/late${attempt}`);
    }
  });

  it("stop() ends every node", async () => {
    const pids = hub.nodes!.map((node) => node.pid);
    for (const client of clients.splice(0)) await client.stop().catch(() => {});
    await hub.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `node ${pid} is gone`);
  });
});
