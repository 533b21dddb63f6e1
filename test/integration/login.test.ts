// Logins against a real Prosody, with and without SASL2 (Debian's prosody-modules and the hub's
// compat module): a client with no session to resume logs in again over SASL2 with Bind2 where
// the hub offers it; the desktop device, cut off by a proxy on loopback, comes back at once and
// resumes its TLS and XEP-0198 sessions over the RFC 6120 flow (0.12.3 cannot resume inside SASL2).
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xml as xmlElement } from "@xmpp/client";
import { DelayProxy } from "../../bench/delay-proxy.js";
import { createNodeHost } from "../../hosts/node/host.js";
import { sasl2Installed } from "../../hosts/node/hub/prosody.js";
import { MemorySettingsStore } from "../../src/app/stored-text.js";
import { Client } from "../../src/xmpp/client.js";
import { FAST_RECORD } from "../../src/xmpp/fast.js";
import { deviceSettings, microwaveManifest, runDevice } from "../support/device-process.js";
import { hubClient } from "../support/hub-client.js";
import { startTestHub, type Hub } from "../support/prosody.js";

const DEVICE = { user: "microwave", password: "device-secret" };
const OWNER = { user: "owner", password: "owner-secret" };

/**
 * A first login's session can be resumed once the server's <enabled/> has come: "online" comes
 * when the roster get and the presence leave, and <enabled/> a round trip later, before the
 * roster's answer. A cut before that starts a fresh session.
 */
async function resumable(client: Client): Promise<void> {
  for (let tries = 0; tries < 250 && client.streamManagement.state === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(client.streamManagement.state !== undefined, "stream management enabled within 5 s of online");
}

for (const sasl2 of [true, false]) describe(`device login on Prosody ${sasl2 ? "with" : "without"} SASL2`, function () {
  this.timeout(60_000);
  let hub: Hub;
  let proxy: DelayProxy;

  before(async function () {
    if (sasl2 && !sasl2Installed()) this.skip(); // prosody-modules: bash scripts/system-packages.sh
    hub = await startTestHub([DEVICE, OWNER], { sasl2 });
    proxy = await DelayProxy.start({ host: hub.host, port: hub.c2sPort }, 0);
  });

  after(async () => {
    await proxy?.stop();
    await hub?.stop();
  });

  it("lets @xmpp/client log in with no error: a session bound by Bind2 is not offered <bind/> again", async () => {
    const client = hubClient(hub, OWNER, { resource: "console" });
    const errors: string[] = [];
    client.on("error", (error: Error) => errors.push(String(error)));
    const iqs: string[] = [];
    client.on("send", (element: { name: string; toString(): string }) => {
      if (element.name === "iq") iqs.push(element.toString());
    });
    try {
      await client.start();
      // A roster query, answered: whatever was wrong would have come back before its answer.
      await client.iqCaller.get(xmlElement("query", { xmlns: "jabber:iq:roster" }));
      assert.deepEqual(errors, []);
      if (sasl2) assert.ok(!iqs.some((iq) => iq.includes("urn:ietf:params:xml:ns:xmpp-bind")), `a second bind: ${iqs.join(" ")}`);
    } finally {
      await client.stop().catch(() => {});
    }
  });

  it(`logs in a second time ${sasl2 ? "over SASL2 with Bind2, sent with the stream header" : "over SASL"} when no session is held`, async () => {
    const steps: string[] = [];
    const client = new Client({
      host: createNodeHost({ ca: hub.caPem }),
      jid: `${DEVICE.user}@${hub.domain}/bench`,
      password: DEVICE.password,
      server: { host: hub.host, port: proxy.port },
      streamManagement: false,
      onStatus: (status, detail) => steps.push(`${status} ${detail}`),
    });
    try {
      await client.start();
      assert.ok(steps.includes("authenticated SCRAM-SHA-1"), steps.join("; "));
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 100));
      steps.length = 0;
      const jid = await client.start();
      assert.ok(steps.includes(sasl2 ? "authenticated SCRAM-SHA-1 (SASL2)" : "authenticated SCRAM-SHA-1"), steps.join("; "));
      if (sasl2) assert.match(jid.toString(), /^microwave@hub\.test\/bench/, "Bind2 builds the resource from the tag");
    } finally {
      client.stop();
    }
  });

  it(sasl2
    ? "comes back after a cut resuming the XEP-0198 session inside SASL2 (SCRAM, asking for a FAST token), then after a second cut with the token, the TLS session resumed"
    : "comes back after a cut over SASL, resuming the XEP-0198 session with <resume/>, the TLS session resumed", async () => {
    const settingsDir = mkdtempSync(join(tmpdir(), "xmpp-appliance-login-"));
    const settings = join(settingsDir, "device.settings.json");
    const run = runDevice(microwaveManifest, deviceSettings(hub, DEVICE, OWNER.user, { server: `${hub.host}:${proxy.port}`, settings }));
    try {
      await run.waitFor(/online\s+\S+/);
      // The roster line comes after the server's <enabled/>: from then on the session can be resumed.
      await run.waitFor(/roster\s+\S+/);
      for (const mechanism of sasl2 ? ["SCRAM-SHA-1 \\(SASL2\\)", "HT-SHA-256-NONE \\(SASL2\\)"] : ["SCRAM-SHA-1"]) {
        const mark = run.output().length;
        proxy.cut();
        const back = await run.waitFor(/resumed\s+\S+/, 30_000, mark);
        assert.ok(back);
        const reconnect = run.output().slice(mark);
        assert.match(reconnect, /secure\s+hub\.test \(TLS session resumed\)/);
        assert.match(reconnect, new RegExp(`authenticated\\s+${mechanism}\\n`));
        assert.doesNotMatch(reconnect, /\berror\b/);
      }
      const stored = existsSync(settings) ? readFileSync(settings, "utf8") : "";
      if (sasl2) assert.match(stored, /"fast"/, "the token is kept in the settings file");
      else assert.doesNotMatch(stored, /secret-token/);
    } finally {
      await run.stop();
      rmSync(settingsDir, { recursive: true, force: true });
    }
  });

  it(`starts a fresh session in the same stream, with one line, when a restarted Prosody no longer has the one to resume (${sasl2 ? "inside SASL2" : "<resume/>"})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-login-restart-"));
    let own = await startTestHub([DEVICE, OWNER], { sasl2, dir });
    const ownProxy = await DelayProxy.start({ host: own.host, port: own.c2sPort }, 0);
    const lines: string[] = [];
    const client = new Client({
      host: createNodeHost({ ca: own.caPem }),
      jid: `${DEVICE.user}@${own.domain}/bench`,
      password: DEVICE.password,
      server: { host: own.host, port: ownProxy.port },
      timeoutMs: 10_000,
      onStatus: (status, detail) => lines.push(`${status} ${detail}`),
      onError: (error) => lines.push(`error ${error.message}`),
    });
    try {
      await client.start();
      await resumable(client);
      ownProxy.cut(); // lost: the session waits on the server, which then restarts without it
      await new Promise((resolve) => setTimeout(resolve, 200));
      await own.stop();
      own = await startTestHub([DEVICE, OWNER], { sasl2, dir, c2sPort: own.c2sPort });
      lines.length = 0;
      await client.start();
      assert.ok(client.online);
      assert.ok(lines.includes(sasl2 ? "authenticated SCRAM-SHA-1 (SASL2)" : "authenticated SCRAM-SHA-1"), lines.join("; "));
      assert.equal(lines.filter((line) => line.startsWith("connecting")).length, 1, `in the same stream: ${lines.join("; ")}`);
      const said = lines.filter((line) => line.startsWith("error"));
      assert.equal(said.length, 1, said.join("; "));
      assert.match(said[0]!, /did not resume the session \(item-not-found\); started a new one/);
      assert.equal(lines.at(-1)?.split(" ")[0], "online");
    } finally {
      client.stop();
      await ownProxy.stop();
      await own.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("FAST and inline resumption on Prosody 0.12.3 (prosody-modules and the hub's compat module)", function () {
  this.timeout(90_000);
  let hub: Hub;
  let proxy: DelayProxy;
  let dir: string;

  before(async function () {
    if (!sasl2Installed()) this.skip(); // prosody-modules: bash scripts/system-packages.sh
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-fast-"));
    hub = await startTestHub([DEVICE, OWNER], { sasl2: true, dir });
    proxy = await DelayProxy.start({ host: hub.host, port: hub.c2sPort }, 0);
  });

  after(async () => {
    await proxy?.stop();
    await hub?.stop();
    // The hub was given this directory, so its stop() leaves it.
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function device(store: MemorySettingsStore, lines: string[]) {
    return new Client({
      host: createNodeHost({ ca: hub.caPem }),
      jid: `${DEVICE.user}@${hub.domain}/bench`,
      password: DEVICE.password,
      server: { host: hub.host, port: proxy.port },
      store,
      timeoutMs: 10_000,
      onStatus: (status, detail) => lines.push(`${status} ${detail}`),
      onError: (error) => lines.push(`error ${error.message}`),
    });
  }

  const cut = async () => {
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  it("gets a token in a SCRAM login over SASL2, then logs in with it, rotated, resuming the session inside the same exchange", async () => {
    const store = new MemorySettingsStore();
    const lines: string[] = [];
    const client = device(store, lines);
    try {
      await client.start();
      await resumable(client);
      await cut();
      lines.length = 0;
      await client.start();
      assert.ok(lines.includes("authenticated SCRAM-SHA-1 (SASL2)"), lines.join("; "));
      assert.equal(lines.at(-1)?.split(" ")[0], "resumed", "resumed inside SASL2");
      const first = JSON.parse(store.get(FAST_RECORD)!).token.token as string;
      await cut();
      lines.length = 0;
      await client.start();
      assert.ok(lines.includes("authenticated HT-SHA-256-NONE (SASL2)"), lines.join("; "));
      assert.equal(lines.at(-1)?.split(" ")[0], "resumed");
      assert.ok(!lines.some((line) => line.startsWith("error")), lines.join("; "));
      const second = JSON.parse(store.get(FAST_RECORD)!).token.token as string;
      assert.notEqual(second, first, "a fresh token at each FAST login");
      // The resumed session carries stanzas both ways.
      const owner = hubClient(hub, OWNER, { resource: "console" });
      const got = new Promise<string>((resolve) => {
        owner.on("stanza", (stanza: { is(name: string): boolean; getChildText(name: string): string | null }) => {
          if (stanza.is("message") && stanza.getChildText("body")) resolve(stanza.getChildText("body")!);
        });
      });
      const ownerJid = await owner.start(); // Bind2 gives it console~<suffix>
      try {
        client.sendMessage(ownerJid.toString(), "after two resumptions");
        assert.equal(await got, "after two resumptions");
      } finally {
        await owner.stop().catch(() => {});
      }
    } finally {
      client.stop();
    }
  });

  it("drops a token Prosody refuses and logs in with SCRAM in the same stream, with one line", async () => {
    const store = new MemorySettingsStore();
    const lines: string[] = [];
    const first = device(store, lines);
    await first.start();
    await cut();
    await first.start();
    first.stop();
    // A restart with a token the server does not know (revoked, or the server lost its data).
    const record = JSON.parse(store.get(FAST_RECORD)!);
    record.token.token = "secret-token:not-issued";
    store.set(FAST_RECORD, JSON.stringify(record));
    lines.length = 0;
    const restarted = device(store, lines);
    try {
      await restarted.start();
      assert.ok(restarted.online);
      const said = lines.filter((line) => line.startsWith("error"));
      assert.equal(said.length, 1, said.join("; "));
      assert.match(said[0]!, /refused the FAST token \(not-authorized\): it is forgotten, and SASL2 SCRAM-SHA-1 follows in the same stream/);
      assert.ok(lines.includes("authenticated SCRAM-SHA-1 (SASL2)"), lines.join("; "));
      assert.notEqual(JSON.parse(store.get(FAST_RECORD)!).token.token, "secret-token:not-issued", "a new token came with the SCRAM login");
    } finally {
      restarted.stop();
    }
  });

  it("drops a token Prosody says has expired (credentials-expired) and logs in with SCRAM in the same stream, with one line, getting a new one", async () => {
    const ownDir = mkdtempSync(join(tmpdir(), "xmpp-appliance-fast-ttl-"));
    const own = await startTestHub([DEVICE, OWNER], { sasl2: true, dir: ownDir, fastTokenTtlS: 1 });
    const store = new MemorySettingsStore();
    const lines: string[] = [];
    const client = () =>
      new Client({
        host: createNodeHost({ ca: own.caPem }),
        jid: `${DEVICE.user}@${own.domain}/bench`,
        password: DEVICE.password,
        server: { host: own.host, port: own.c2sPort },
        store,
        timeoutMs: 10_000,
        onStatus: (status, detail) => lines.push(`${status} ${detail}`),
        onError: (error) => lines.push(`error ${error.message}`),
      });
    const first = client();
    let restarted: Client | undefined;
    try {
      await first.start(); // RFC 6120: the server is not known yet
      first.stop();
      await first.start(); // SASL2 SCRAM, asking for a token
      first.stop();
      const issued = JSON.parse(store.get(FAST_RECORD)!).token.token as string;
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the 1 s lifetime
      lines.length = 0;
      restarted = client();
      await restarted.start();
      assert.ok(restarted.online);
      const said = lines.filter((line) => line.startsWith("error"));
      assert.equal(said.length, 1, said.join("; "));
      assert.match(said[0]!, /refused the FAST token \(credentials-expired\): it is forgotten, and SASL2 SCRAM-SHA-1 follows in the same stream/);
      assert.ok(lines.includes("authenticated SCRAM-SHA-1 (SASL2)"), lines.join("; "));
      assert.equal(lines.filter((line) => line.startsWith("connecting")).length, 1, "in the same stream");
      assert.notEqual(JSON.parse(store.get(FAST_RECORD)!).token.token, issued, "a new token came with the SCRAM login");
    } finally {
      first.stop();
      restarted?.stop();
      await own.stop();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });

  it("binds a fresh session in the FAST exchange when the restarted server no longer has the one to resume, with one line", async () => {
    const store = new MemorySettingsStore();
    const lines: string[] = [];
    const client = device(store, lines);
    try {
      await client.start();
      await cut();
      await client.start();
      assert.ok(client.streamManagement.resumable || client.online);
      await hub.stop();
      hub = await startTestHub([DEVICE, OWNER], { sasl2: true, dir, c2sPort: hub.c2sPort });
      await new Promise((resolve) => setTimeout(resolve, 200));
      lines.length = 0;
      await client.start();
      assert.ok(lines.includes("authenticated HT-SHA-256-NONE (SASL2)"), `the token outlives the restart: ${lines.join("; ")}`);
      assert.equal(lines.at(-1)?.split(" ")[0], "online");
      const said = lines.filter((line) => line.startsWith("error"));
      assert.equal(said.length, 1, said.join("; "));
      assert.match(said[0]!, /did not resume the session \(item-not-found\); started a new one/);
    } finally {
      client.stop();
    }
  });
});

describe("a pipelined SASL request the server rejects: ejabberd, which offers SCRAM-SHA-256 and not the SCRAM-SHA-1 sent before its offer is read", function () {
  this.timeout(90_000);
  let hub: Hub;

  before(async () => {
    hub = await startTestHub([DEVICE, OWNER], { server: "ejabberd" });
  });

  after(async () => {
    await hub?.stop();
  });

  it("gives the guess up before any proof, logs in with SCRAM-SHA-256 in the same stream, and sends that one with the header next time", async () => {
    const writes: string[] = [];
    const lines: string[] = [];
    const node = createNodeHost({ ca: hub.caPem });
    // The device's writes, as they leave (after TLS: the host's connection sees the clear text).
    const host = {
      ...node,
      connect: async (endpoint: Parameters<typeof node.connect>[0], handlers: Parameters<typeof node.connect>[1]) => {
        const connection = await node.connect(endpoint, handlers);
        return new Proxy(connection, {
          get: (target, key) =>
            key === "send"
              ? (bytes: Uint8Array) => {
                  writes.push(Buffer.from(bytes).toString("utf8"));
                  target.send(bytes);
                }
              : typeof Reflect.get(target, key) === "function"
                ? (Reflect.get(target, key) as (...args: unknown[]) => unknown).bind(target)
                : Reflect.get(target, key, target),
        });
      },
    };
    const client = new Client({
      host,
      jid: `${DEVICE.user}@${hub.domain}/bench`,
      password: DEVICE.password,
      server: { host: hub.host, port: hub.c2sPort },
      streamManagement: false,
      timeoutMs: 10_000,
      onStatus: (status, detail) => lines.push(`${status} ${detail}`),
      onError: (error) => lines.push(`error ${error.message}`),
    });
    try {
      await client.start();
      assert.ok(lines.includes("authenticated SCRAM-SHA-256"), lines.join("; "));
      const sent = writes.join("");
      // ejabberd fails the mechanism it does not offer at once (a <failure/>, so no <abort/> is needed).
      const second = sent.indexOf(`mechanism="SCRAM-SHA-256"`);
      assert.ok(second > 0 && sent.slice(0, second).includes(`mechanism="SCRAM-SHA-1"`), `the SCRAM-SHA-1 guess, then SCRAM-SHA-256: ${sent.replace(/>[^<]{20,}</g, ">…<")}`);
      assert.ok(!sent.slice(0, second).includes("<response"), "no proof sent for the guess");
      assert.equal(lines.filter((line) => line.startsWith("connecting")).length, 1, "in the same stream");
      assert.deepEqual(lines.filter((line) => line.startsWith("error")), [], "a first guess that misses is not worth a line");
      client.stop();
      writes.length = 0;
      lines.length = 0;
      await client.start();
      assert.ok(lines.includes("authenticated SCRAM-SHA-256"), lines.join("; "));
      assert.match(writes.join(""), /<stream:stream[^>]*><auth [^>]*mechanism="SCRAM-SHA-256"/, "sent with the header");
      assert.ok(!writes.join("").includes("<abort"), "nothing given up the second time");
    } finally {
      client.stop();
    }
  });
});
