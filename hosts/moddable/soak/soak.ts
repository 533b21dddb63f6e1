// A soak of the failure paths on the Moddable host, run by test/sim/soak.test.ts in mcsim on the
// ESP32 profile (heaps fixed at the board's creation): the core's XMPP client connects
// `soak_connects` times to a loopback port nobody listens on, and the simulated Wi-Fi drops
// `soak_drops` times under a joined link. After each hundred connects and ten drops, and at the
// end, a collection and one line of what is live: "soak memory <when>: chunks <bytes> slots <n>".
// Before failed connects closed their sockets, this aborted with "memory full" within a few.

import config from "mc/config";
import Debug from "debug";
import Instrumentation from "instrumentation";
import WiFi from "appliance/wifi";
import { WifiLink } from "../../../src/app/wifi-link.js";
import { Client } from "../../../src/xmpp/client.js";
import { createModdableHost } from "../host.js";
import { createRadio } from "../radio.js";

function live(): { chunks: number; slots: number } {
  Debug.gc();
  const read = (name: "XS Chunk Heap Used" | "XS Slot Heap Used") => {
    const index = Instrumentation.map(name);
    return index === undefined ? -1 : (Instrumentation.get(index) ?? -1);
  };
  return { chunks: read("XS Chunk Heap Used"), slots: read("XS Slot Heap Used") };
}

function report(when: string): void {
  const { chunks, slots } = live();
  trace(`soak memory ${when}: chunks ${chunks} slots ${slots}\n`);
}

async function run(): Promise<void> {
  const connects = Number(config.soak_connects ?? 1000);
  const drops = Number(config.soak_drops ?? 100);
  const port = Number(config.soak_port);
  if (!(port > 0)) throw new Error("soak_port: the loopback port nobody listens on");
  const host = createModdableHost({ ca: new ArrayBuffer(0) });
  const client = new Client({ host, jid: "soak@hub.test/soak", password: "unused", server: { host: "127.0.0.1", port } });
  report("start");
  let refused = 0;
  for (let i = 1; i <= connects; i++) {
    try {
      await client.start();
      trace("soak FAIL: a connect succeeded\n");
    } catch (error) {
      if (i === 1) trace(`soak first failure: ${(error as Error).message}\n`);
      refused++;
    }
    if (i % 100 === 0) report(`after ${i} failed connects`);
  }
  trace(`soak connects ${refused} of ${connects} failed as expected\n`);

  let ups = 0;
  let nextUp: (() => void) | undefined;
  const link = new WifiLink({
    host,
    radio: createRadio(host.setTimeout, host.clearTimeout),
    ssid: "Home",
    password: "wifi-secret",
    backoff: { initialMs: 20, maxMs: 40 },
    onEvent: () => {},
    onUp: () => {
      ups++;
      nextUp?.();
    },
  });
  await link.start();
  report("wifi up");
  for (let i = 1; i <= drops; i++) {
    await new Promise<void>((resolve) => {
      nextUp = resolve;
      (WiFi as unknown as { simulateLoss(): void }).simulateLoss();
    });
    if (i % 10 === 0) report(`after ${i} wifi drops`);
  }
  link.stop();
  trace(`soak wifi ${ups - 1} rejoins after ${drops} drops\n`);
  report("end");
  trace("soak done 0\n");
}

export default function soak(): void {
  run().catch((error: unknown) => trace(`soak FAIL unexpected: ${(error as Error)?.stack ?? String(error)}\nsoak done 1\n`));
}
