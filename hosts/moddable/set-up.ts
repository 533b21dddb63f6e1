// Provisioning on the Moddable SDK: the set-up access point (the SDK's `wifi` in access-point
// mode on ESP32; the simulated radio in the simulator) and the set-up page (src/app/provisioning.ts)
// behind the SDK's HTTP server (modules/network/http), whose callbacks this file turns into
// SetUpPage requests and answers.

import { Server } from "http";
import WiFi from "appliance/wifi";
import { MAX_FORM_BYTES, SetUpPage, accessPointCredentials, type SetUpResponse } from "../../src/app/provisioning.js";
import type { FlatConfig } from "../../src/app/config.js";
import type { AccessPoint, Radio } from "../../src/app/wifi-link.js";
import type { Host, SettingsStore } from "../../src/host.js";
import { encodeUtf8 } from "../../src/xml/utf8.js";

export interface SetUpOptions {
  host: Host;
  store: SettingsStore;
  manifest: FlatConfig;
  radio: Radio;
  deviceName: string;
  cause: string;
  /** The port of the page: 80 on a board, `setup_port` (default 8080) in the simulator. */
  port: number;
  /** Where a browser reaches the page: the access point's own address on a board (192.168.4.1), loopback in the simulator. */
  address: string;
  restart(): void;
  log(event: string, detail: string): void;
}

/** One request on the SDK's server: what its callbacks have told so far. */
interface Exchange {
  method: string;
  path: string;
  length: number;
  body: string;
  answer?: SetUpResponse;
  bytes?: Uint8Array;
  sent: number;
}

function scan(radio: Radio, log: SetUpOptions["log"], into: { seen: readonly AccessPoint[] }): Promise<void> {
  return radio.scan().then(
    (seen) => {
      into.seen = seen;
      log("set-up", `scan: ${seen.length} access points in range`);
    },
    (error: unknown) => log("set-up", `scan failed: ${(error as Error).message}`),
  );
}

/** Opens the access point and serves the page until the settings are stored; returns what closes both. */
export async function openSetUp(options: SetUpOptions): Promise<{ close(): void }> {
  const { host, store, radio, log } = options;
  const { credentials, created } = accessPointCredentials(store, host);
  log("set-up", `opening the set-up access point: ${options.cause}`);
  // Scanned before the access point opens: the ESP32 then leaves station mode.
  const networks = { seen: [] as readonly AccessPoint[] };
  await scan(radio, log, networks);
  radio.leave();
  WiFi.accessPoint({ ssid: credentials.ssid, password: credentials.passphrase, station: true } as Parameters<typeof WiFi.accessPoint>[0]);
  log("set-up", `access point "${credentials.ssid}" (WPA2), passphrase ${credentials.passphrase} (${created ? "new: write it on the device's label" : "as on the device's label"})`);
  const page = new SetUpPage({
    host,
    store,
    manifest: options.manifest,
    deviceName: options.deviceName,
    networks: () => networks.seen,
    rescan: () => void scan(radio, log, networks),
    restart: options.restart,
    log,
  });
  const exchanges = new WeakMap<object, Exchange>();
  const server = new Server({ port: options.port });
  server.callback = function (message, value, etc) {
    // `this` is the request: one exchange per connection (the SDK's server closes each after its answer).
    let exchange = exchanges.get(this);
    if (!exchange) {
      exchange = { method: "GET", path: "/", length: 0, body: "", sent: 0 };
      exchanges.set(this, exchange);
    }
    switch (message) {
      case Server.status:
        exchange.path = String(value);
        exchange.method = String(etc);
        return;
      case Server.header:
        if (value === "content-length") exchange.length = Number(etc);
        return;
      case Server.headersComplete:
        // A body larger than any form is not read (the SDK's server skips it) and is refused.
        // String asks the server to collect the body as text; the typings leave that answer out.
        return exchange.length > MAX_FORM_BYTES ? false : (String as unknown as boolean);
      case Server.requestComplete:
        exchange.body = typeof value === "string" ? value : "";
        return;
      case Server.prepareResponse: {
        const answer =
          exchange.length > MAX_FORM_BYTES
            ? { status: 413, headers: { "content-type": "text/plain; charset=utf-8" }, body: `the form is larger than ${MAX_FORM_BYTES} bytes\n` }
            : page.handle({ method: exchange.method, path: exchange.path, body: exchange.body });
        exchange.answer = answer;
        // Bytes, not the string: the SDK's server counts a string's length in characters.
        exchange.bytes = exchange.method === "HEAD" ? new Uint8Array(0) : encodeUtf8(answer.body);
        const headers: string[] = [];
        for (const [name, text] of Object.entries(answer.headers)) headers.push(name, text);
        headers.push("content-length", String(exchange.bytes.length));
        return { status: answer.status, headers, body: true };
      }
      case Server.responseFragment: {
        const bytes = exchange.bytes!;
        if (exchange.sent >= bytes.length) return undefined;
        const count = Math.min(Number(value), bytes.length - exchange.sent);
        const chunk = bytes.slice(exchange.sent, exchange.sent + count).buffer;
        exchange.sent += count;
        return chunk;
      }
      case Server.responseComplete: {
        exchanges.delete(this);
        // On a later turn: closing the server from inside its own callback leaves it half torn down.
        const after = exchange.answer?.after;
        if (after) host.setTimeout(after, 200);
        return;
      }
      case Server.error:
        exchanges.delete(this);
        return;
    }
  };
  log("set-up", `page http://${options.address}${options.port === 80 ? "" : `:${options.port}`}/`);
  return {
    close() {
      server.close();
      WiFi.mode = WiFi.Mode.station;
    },
  };
}
