// Against a real Prosody: the device asks an owner for a subscription only when its roster shows
// none and none pending. Paired in the hub's rosters: nothing asked; unpaired: asked at the first
// login, not again at the next (the request is still pending in the roster).

import { strict as assert } from "node:assert";
import { createNodeHost } from "../../hosts/node/host.js";
import { Appliance, type ApplianceEvent } from "../../src/app/appliance.js";
import { readConnectionConfig } from "../../src/app/config.js";
import type { Connection, Host } from "../../src/host.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const ACCOUNTS = [
  { user: "owner", password: "owner-secret" },
  { user: "paired", password: "paired-secret" },
  { user: "unpaired", password: "unpaired-secret" },
];

/** The Node host, with every byte the device sends (before TLS encrypts it) kept as text. */
function recordingHost(hub: Hub): { host: Host; sent: () => string } {
  const base = createNodeHost({ ca: hub.caPem });
  let text = "";
  const decoder = new TextDecoder();
  const host: Host = {
    ...base,
    connect: async (endpoint, handlers) => {
      const connection = await base.connect(endpoint, handlers);
      const recording: Connection = {
        get secure() {
          return connection.secure;
        },
        send: (bytes) => {
          text += decoder.decode(bytes, { stream: true });
          connection.send(bytes);
        },
        startTLS: (name) => connection.startTLS(name),
        close: () => connection.close(),
      };
      return recording;
    },
  };
  return { host, sent: () => text };
}

/** Logs `user` in as an appliance whose owner is owner@, waits a moment for what follows the login, and stops it. */
async function login(hub: Hub, user: string): Promise<{ requests: string[]; appliance: Appliance }> {
  const { host, sent } = recordingHost(hub);
  const events: string[] = [];
  const appliance = new Appliance({
    host,
    config: readConnectionConfig({ jid: `${user}@${hub.domain}/test`, xmpp_password: `${user}-secret`, server: `${hub.host}:${hub.c2sPort}`, ca: hub.caPath, owner: `owner@${hub.domain}` }),
    device: { name: user, opcodes: [], handle: async () => "ok", summary: () => "idle", safe: () => {} },
    onEvent: (event: ApplianceEvent, detail) => events.push(`${event} ${detail}`),
  });
  try {
    await appliance.start();
    // The subscription requests leave right after initial presence; a ping round trip later they are on the wire.
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    appliance.stop();
  }
  const requests = [...sent().matchAll(/<presence\b[^>]*\btype=["']subscribe["'][^>]*>/g)].map((match) => /\bto=["']([^"']*)["']/.exec(match[0])?.[1] ?? "");
  assert.ok(!events.some((event) => event.startsWith("error")), `no errors: ${events.join("; ")}`);
  return { requests, appliance };
}

describe("subscription requests against prosody", function () {
  this.timeout(90_000);
  let hub: Hub;

  before(async () => {
    hub = await startTestHub(ACCOUNTS, { server: "prosody", contacts: { owner: "owner", devices: ["paired"] } });
  });

  after(async () => {
    await hub?.stop();
  });

  it("sends none when the hub's roster has the device and its owner subscribed both ways", async () => {
    const { requests } = await login(hub, "paired");
    assert.deepEqual(requests, []);
  });

  it("asks an owner it is not paired with once: at the first login, not at the next, while the request is pending", async () => {
    const first = await login(hub, "unpaired");
    assert.deepEqual(first.requests, [`owner@${hub.domain}`]);
    const second = await login(hub, "unpaired");
    assert.deepEqual(second.requests, [], "the roster says ask='subscribe'");
  });
});
