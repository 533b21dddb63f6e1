// The firmware in the Moddable simulator, its connection closed by the peer just as it answers:
// its answer (a TLS handshake step is several writes) goes into a closed connection. mcsim died of
// SIGPIPE there (strace: write() = -1 EPIPE, "killed by SIGPIPE"), which the simulator now ignores
// (hosts/sim/sigpipe); and the SDK reports no onError after a failed write, so the host watches
// its writes (hosts/moddable/host.ts watchWrites) and the attempt ends at once instead of at the
// handshake's 30 s timeout. Skipped, saying why, without the SDK.

import { strict as assert } from "node:assert";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { deviceSettings, microwaveManifest, type DeviceRun } from "../support/device-process.js";
import { MICROWAVE, OWNER } from "../support/microwave-scenario.js";
import type { Hub } from "../support/prosody.js";
import { runSim } from "../support/sim-process.js";
import { startSimWorld, type SimWorld } from "../support/sim-world.js";
import type { SntpServer } from "../support/sntp-server.js";

/** Building for the simulator compiles the SDK's C sources the first time: minutes, not seconds. */
const BUILD_AND_LOGIN_MS = 600_000;
const ONLINE = /(?:online|resumed) +\S+@\S+/;
/** Connections cut, the n-th just after the hub's n-th answer reached the device. */
const CUTS = 6;

/**
 * Forwards to the hub; its n-th connection is closed the moment the hub's n-th chunk of bytes has
 * been handed to the device, so the device's answer to it (more than one write in a TLS
 * handshake step, or after binding) goes into a connection the peer has closed.
 */
async function cuttingProxy(target: { host: string; port: number }): Promise<{ server: Server; port: number; cuts: () => number }> {
  let connections = 0;
  let cuts = 0;
  const open = new Set<Socket>();
  const server = createServer((device) => {
    const cutAt = ++connections;
    const hub = connect(target.port, target.host);
    open.add(device).add(hub);
    let chunks = 0;
    const close = () => {
      device.destroy();
      hub.destroy();
    };
    device.on("data", (bytes: Buffer) => hub.write(bytes));
    hub.on("data", (bytes: Buffer) => {
      device.write(bytes, () => {
        if (++chunks === cutAt && cutAt <= CUTS) {
          cuts++;
          close();
        }
      });
    });
    for (const socket of [device, hub]) {
      socket.on("error", close);
      socket.on("close", () => {
        open.delete(socket);
        close();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port, cuts: () => cuts };
}

describe("the firmware in the Moddable simulator, its connection closed as it answers", function () {
  this.timeout(BUILD_AND_LOGIN_MS);
  let world: SimWorld | undefined;
  let hub: Hub;
  let sntp: SntpServer;
  let proxy: Awaited<ReturnType<typeof cuttingProxy>>;
  let device: DeviceRun | undefined;

  before(async function () {
    world = await startSimWorld(this, [MICROWAVE, OWNER]);
    ({ hub, sntp } = world);
    proxy = await cuttingProxy({ host: hub.host, port: hub.c2sPort });
  });

  after(async () => {
    await device?.stop();
    await new Promise((resolve) => (proxy ? proxy.server.close(resolve) : resolve(undefined)));
    await world?.stop();
  });

  it(`lives, and comes online after ${CUTS} connections closed, each just after a later answer of the hub's, each closing seen at once`, async () => {
    const settings = deviceSettings(hub, MICROWAVE, OWNER.user, { server: `${hub.host}:${proxy.port}`, sntp: `127.0.0.1:${sntp.port}`, sntp_pool: `127.0.0.1:${sntp.port}` });
    device = await runSim(microwaveManifest, settings);
    // A wait fails at once, with the trace, when mcsim ends.
    await device.waitFor(ONLINE, BUILD_AND_LOGIN_MS);
    assert.equal(proxy.cuts(), CUTS);
    // Each closed connection was seen as closed, none waited for a timeout.
    assert.doesNotMatch(device.output(), /did not finish within/);
  });
});
