// Signed updates on the desktop host against a real Prosody and an HTTPS image server on loopback
// signed by the hub's CA, the partitions the folder next to the settings file: a stranger is
// forbidden; a wrong SHA-256, an image signed with another key and a cut download change nothing;
// a good image boots on trial and is kept once online; one that does not come online within
// update_trial_s goes back to the previous one. (test/sim/update.test.ts runs the same in mcsim.)

import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { xml, type Client } from "@xmpp/client";
import { runCommand } from "../support/adhoc-client.js";
import { deviceSettings, microwaveManifest, runDevice, type DeviceRun } from "../support/device-process.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { hubClient } from "../support/hub-client.js";
import { MICROWAVE, OWNER, STRANGER } from "../support/microwave-scenario.js";
import { startTestHub, type Hub } from "../support/prosody.js";
import { serveImages, testImages, type ImageServer } from "../support/update-images.js";

const TRIAL_S = 5;
const ONLINE = /online\s+microwave@/;

describe("signed updates on the desktop host", function () {
  this.timeout(120_000);
  let hub: Hub;
  let proxy: FaultProxy;
  let server: ImageServer;
  let port: number;
  let scratch: string;
  let owner: Client;
  let stranger: Client;
  let device: DeviceRun | undefined;
  const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const images = new Map<string, Buffer>();

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-update-"));
    hub = await startTestHub([MICROWAVE, OWNER, STRANGER]);
    proxy = await FaultProxy.start({ host: hub.host, port: hub.c2sPort });
    for (const [path, file] of testImages(trusted.privateKey, 100_000)) images.set(path, file);
    const certs = dirname(hub.caPath);
    server = await serveImages(images, { certPath: join(certs, "server.crt"), keyPath: join(certs, "server.key") }, 50_000);
    port = server.port;
    owner = hubClient(hub, OWNER, { resource: "console" });
    stranger = hubClient(hub, STRANGER, { resource: "laptop" });
    for (const client of [owner, stranger]) {
      client.on("error", () => {});
      await client.start();
    }
  });

  after(async () => {
    await device?.stop();
    for (const client of [owner, stranger]) await client?.stop().catch(() => {});
    await server?.close();
    await proxy?.close();
    await hub?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const to = () => `${MICROWAVE.user}@${hub.domain}/appliance`;
  const state = () => JSON.parse(readFileSync(join(scratch, "microwave.firmware", "state.json"), "utf8")) as { running: number; next?: number; state: string };

  async function version(): Promise<string | undefined> {
    const answer = await owner.iqCaller.request(xml("iq", { type: "get", to: to() }, xml("query", { xmlns: "jabber:iq:version" })), 10_000);
    return answer.getChild("query", "jabber:iq:version")!.getChildText("version") ?? undefined;
  }

  async function update(path: string, sha256 = createHash("sha256").update(images.get(path)!).digest("hex"), client = owner): Promise<string> {
    return runCommand(client, to(), "update", { url: `https://${hub.domain}:${port}${path}`, sha256 }, { timeoutMs: 30_000 });
  }


  it("refuses a stranger (forbidden), a wrong SHA-256, an image signed with another key and a cut download, changing nothing", async () => {
    const keyFile = join(scratch, "update-key.pem");
    writeFileSync(keyFile, trusted.publicKey.export({ type: "spki", format: "pem" }) as string);
    device = runDevice(
      microwaveManifest,
      deviceSettings(hub, MICROWAVE, OWNER.user, { server: `127.0.0.1:${proxy.port}`, settings: join(scratch, "microwave.settings.json"), update_key: keyFile, update_trial_s: String(TRIAL_S) }),
    );
    await device.waitFor(ONLINE, 15_000);
    assert.equal(await version(), "0.1.0");
    assert.match(await update("/0.2.0.bin", undefined, stranger), /^refused: forbidden\b/);
    assert.match(await update("/0.2.0.bin", "0".repeat(64)), /^refused: bad-request error: field sha256: the image's SHA-256 is [0-9a-f]{64}, not 0{64}; nothing was changed/);
    assert.match(await update("/other-key.bin"), /^refused: bad-request error: the image's signature is not valid for this firmware's key/);
    assert.match(await update("/cut.bin"), /^refused: bad-request error: the download failed after \d+ bytes [^;]*; nothing was changed/);
    assert.equal(await version(), "0.1.0");
    assert.deepEqual(state(), { running: 0, state: "confirmed" });
    assert.doesNotMatch(device.output(), /restarting/);
  });

  it("takes a good image: every output safe, restart, on trial until online, then kept", async () => {
    const from = device!.output().length;
    assert.match(await update("/0.2.0.bin"), /^ok: update checked/);
    await device!.waitFor(/update\s+running a new image on trial: it goes back to the previous one unless it is online within 5 s/, 15_000, from);
    await device!.waitFor(/update\s+the new image is online: kept/, 15_000, from);
    const trace = device!.output().slice(from);
    assert.ok(trace.search(/every output is in its safe state/) < trace.search(/restarting\s/), trace);
    assert.match(trace, /restarting\s+on the firmware image the partitions boot now/, "the restart says why: not the settings");
    assert.equal(await version(), "0.2.0");
    assert.deepEqual(state(), { running: 1, state: "confirmed" });
  });

  it("goes back to the previous image when the new one does not come online within update_trial_s", async () => {
    const from = device!.output().length;
    assert.match(await update("/0.3.0.bin"), /^ok: update checked/);
    // The hub out of reach from the restart on: the new image cannot come online.
    proxy.mode = "refuse";
    proxy.cut();
    await device!.waitFor(/update\s+running a new image on trial/, 15_000, from);
    assert.deepEqual(state(), { running: 0, state: "trial" });
    await device!.waitFor(new RegExp(`update\\s+the new image did not come online within ${TRIAL_S} s: going back to the previous one`), (TRIAL_S + 15) * 1000, from);
    // The restart back does not wait for a login that cannot happen: the hub is still out of reach.
    const late = device!.output().search(/the new image did not come online/);
    await device!.waitFor(/restarting\s/, 5_000, late);
    const restarted = late + device!.output().slice(late).search(/restarting\s/);
    assert.doesNotMatch(device!.output().slice(from, restarted), ONLINE);
    proxy.mode = "pass";
    await device!.waitFor(ONLINE, 60_000, restarted);
    assert.equal(await version(), "0.2.0");
    assert.deepEqual(state(), { running: 1, state: "confirmed" });
  });
});
