// Signed updates on the Moddable SDK, in the simulator (mcsim), against a real Prosody and an
// HTTPS image server on loopback signed by the hub's CA: the download through the firmware's own
// TLS (the SDK's ssl/session), SHA-256 from the SDK's crypt, ECDSA P-256 from the SDK's ecdsa.js,
// the simulated partitions in files with ESP-IDF's rollback rules. A bad hash, a bad signature and
// a cut download, and a server whose certificate another CA signed change nothing; a good image boots on trial and is kept once online; an image
// that does not come online goes back to the previous one. Skipped, saying why, without the SDK.

import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { ensureCertificates } from "../../hosts/node/hub/certificates.js";
import { COMMANDS, runCommand } from "../support/adhoc-client.js";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, STRANGER } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";
import { serveImages, testImages, type ImageServer } from "../support/update-images.js";

const BUILD_AND_LOGIN_MS = 600_000;
const TRIAL_S = 15;
/** The trace line of a login ("online  microwave@hub.test/appliance"), not a sentence with the word in it. */
const ONLINE = /online\s+microwave@/;

/** Polls `done` every 50 ms; fails naming `what` after 20 s. */
async function waitUntil(done: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !done(); waited += 50) {
    if (waited > 20_000) throw new Error(`no ${what} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("signed updates in the Moddable simulator", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let proxy: FaultProxy;
  let server: ImageServer;
  let port: number;
  /** The same images from a server whose certificate another CA signed, for the same name. */
  let foreign: ImageServer;
  let foreignPort: number;
  let scratch: string;
  let owner: Client;
  let device: DeviceRun | undefined;
  const presences: Element[] = [];
  const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const images = new Map<string, Buffer>();

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER, STRANGER], { scratch: "update" });
    ({ hub, sntp, scratch } = world);
    proxy = await FaultProxy.start({ host: hub.host, port: hub.c2sPort });
    // Padded so that a download takes several TLS records and progress steps.
    for (const [path, file] of testImages(trusted.privateKey, 150_000)) images.set(path, file);
    // The hub's certificate file: its server certificate followed by the CA (the SDK checks the name only with the chain).
    const certs = dirname(hub.caPath);
    server = await serveImages(images, { certPath: join(certs, "server.crt"), keyPath: join(certs, "server.key") }, 70_000);
    port = server.port;
    // The same images, whole, from a server whose certificate another CA signed.
    foreign = await serveImages(images, await ensureCertificates(join(scratch, "other-ca"), hub.domain));
    foreignPort = foreign.port;
    owner = hubClient(hub, OWNER, { resource: "console" });
    owner.on("error", () => {});
    owner.on("stanza", (stanza: Element) => {
      if (!stanza.is("presence") || !stanza.attrs.from?.startsWith(`${MICROWAVE.user}@`)) return;
      if (stanza.attrs.type === "subscribe") void owner.send(xml("presence", { type: "subscribed", to: stanza.attrs.from }));
      else if (stanza.attrs.type === undefined) presences.push(stanza);
    });
    await owner.start();
    await owner.send(xml("presence"));
    // The owner asks for the device's presence (the progress of an update is in it); the device approves its owners.
    await owner.send(xml("presence", { type: "subscribe", to: `${MICROWAVE.user}@${hub.domain}` }));
  });

  after(async () => {
    if (process.env.UPDATE_TRACE && device) writeFileSync(process.env.UPDATE_TRACE, device.output());
    await device?.stop();
    await owner?.stop().catch(() => {});
    await server?.close();
    await foreign?.close();
    await proxy?.close();
    await world?.stop();
  });

  const to = () => `${MICROWAVE.user}@${hub.domain}/appliance`;
  const state = () => JSON.parse(readFileSync(join(scratch, "data", "appliance-firmware-state.json"), "utf8")) as { running: number; next?: number; state: string };

  async function version(): Promise<string | undefined> {
    const answer = await owner.iqCaller.request(xml("iq", { type: "get", to: to() }, xml("query", { xmlns: "jabber:iq:version" })), 10_000);
    return answer.getChild("query", "jabber:iq:version")!.getChildText("version") ?? undefined;
  }

  async function update(path: string, sha256 = createHash("sha256").update(images.get(path)!).digest("hex"), at = port): Promise<string> {
    return runCommand(owner, to(), "update", { url: `https://${hub.domain}:${at}${path}`, sha256 }, { timeoutMs: 60_000 });
  }


  it("boots the factory image, reports its version and offers update to its owner", async () => {
    const keyFile = join(scratch, "update-key.pem");
    writeFileSync(keyFile, trusted.publicKey.export({ type: "spki", format: "pem" }) as string);
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, {
      server: `127.0.0.1:${proxy.port}`,
      sntp: `127.0.0.1:${sntp.port}`,
      sntp_pool: `127.0.0.1:${sntp.port}`,
      update_key: keyFile,
      update_trial_s: String(TRIAL_S),
    });
    device = await runSim(microwaveManifest, settings, ["--data", join(scratch, "data")]);
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    assert.match(device.output(), /firmware\s+version 0\.1\.0\n/);
    assert.equal(await version(), "0.1.0");
    assert.deepEqual(state(), { running: 0, state: "confirmed" });
  });

  it("refuses a stranger (forbidden), a wrong SHA-256, an image signed with another key, a cut download and a server of another CA, changing nothing", async () => {
    const stranger = hubClient(hub, STRANGER, { resource: "laptop" });
    stranger.on("error", () => {});
    await stranger.start();
    try {
      await assert.rejects(
        stranger.iqCaller.request(xml("iq", { type: "set", to: to() }, xml("command", { xmlns: COMMANDS, node: "update", action: "execute" })), 10_000),
        (error: { condition?: string }) => error.condition === "forbidden",
      );
    } finally {
      await stranger.stop().catch(() => {});
    }
    const wrong = "0".repeat(64);
    assert.match(await update("/0.2.0.bin", wrong), /^refused: bad-request error: field sha256: the image's SHA-256 is [0-9a-f]{64}, not 0{64}; nothing was changed/);
    const from = device!.output().length;
    assert.match(await update("/other-key.bin"), /^refused: bad-request error: the image's signature is not valid for this firmware's key/);
    const checked = await device!.waitFor(/update\s+ECDSA P-256 signature checked in \d+ ms: not valid/, 10_000, from);
    console.log(`      ${checked.trim()}`);
    assert.match(await update("/cut.bin"), /^refused: bad-request error: the download failed after \d+ bytes \(the connection was cut after \d+ of \d+ bytes[^;]*\); nothing was changed/);
    assert.match(await update("/missing.bin", "1".repeat(64)), /^refused: bad-request error: the download failed after 0 bytes \(the server answered HTTP 404/);
    // A server the device's CA did not sign, though it has the right name: nothing is downloaded.
    const untrusted = await update("/0.2.0.bin", undefined, foreignPort);
    assert.match(untrusted, /^refused: bad-request error: the download failed after 0 bytes \(TLS handshake with [^)]* failed \(certificate: [^)]*\): the server's certificate is not signed by the configured ca[^\n]*; nothing was changed, the running image stays$/);
    assert.equal(await version(), "0.1.0");
    assert.deepEqual(state(), { running: 0, state: "confirmed" });
    assert.doesNotMatch(device!.output(), /restarting/);
  });

  it("takes a good image: progress in presence, every output safe, restart, on trial until online, then kept", async () => {
    const from = device!.output().length;
    assert.match(await update("/0.2.0.bin"), /^ok: update checked \(150\d{3} bytes, SHA-256 and signature\)/);
    const checked = await device!.waitFor(/update\s+ECDSA P-256 signature checked in \d+ ms: valid/, 10_000, from);
    console.log(`      ${checked.trim()}`);
    await waitUntil(() => presences.some((presence) => /^update: \d+ KB downloaded$/.test(presence.getChildText("status") ?? "")), `progress in presence (presences: ${presences.map((p) => p.getChildText("status")).join(" | ")})\n${device!.output().slice(from)}`);
    await device!.waitFor(/restarting\s+the simulator runs the firmware again/, 15_000, from);
    await device!.waitFor(/firmware\s+version 0\.2\.0 \(on trial\)/, 30_000, from);
    await device!.waitFor(/update\s+the new image is online: kept/, 60_000, from);
    const trace = device!.output().slice(from);
    assert.ok(trace.search(/every output is in its safe state/) < trace.search(/restarting\s/), trace);
    assert.equal(await version(), "0.2.0");
    assert.deepEqual(state(), { running: 1, state: "confirmed" });
  });

  it("goes back to the previous image when the new one does not come online in time", async () => {
    const from = device!.output().length;
    assert.match(await update("/0.3.0.bin"), /^ok: update checked/);
    // The hub out of reach from the restart on: the new image cannot come online.
    proxy.mode = "refuse";
    await device!.waitFor(/firmware\s+version 0\.3\.0 \(on trial\)/, 30_000, from);
    assert.deepEqual(state(), { running: 0, state: "trial" });
    await device!.waitFor(new RegExp(`update\\s+the new image did not come online within ${TRIAL_S} s: going back to the previous one`), (TRIAL_S + 30) * 1000, from);
    proxy.mode = "pass";
    await device!.waitFor(/firmware\s+version 0\.2\.0\n/, 30_000, from);
    const back = device!.output().length;
    await device!.waitFor(ONLINE, 90_000, back);
    assert.equal(await version(), "0.2.0");
    assert.deepEqual(state(), { running: 1, state: "confirmed" });
    assert.ok(existsSync(join(scratch, "data", "appliance-firmware-0.bin")));
  });
});
