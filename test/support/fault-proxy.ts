// A fault-injecting TCP proxy on loopback, between a device and its hub: it passes bytes both
// ways until told to cut every connection, freeze them (open, nothing passes: a Wi-Fi gone
// quiet), refuse new ones (closed at once: a hub out of reach), blackhole them (accepted, never
// answered), strip STARTTLS from the server's features, or cut a connection just after the
// server's <proceed/>.

import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from "node:net";
import { listenOnLoopback } from "./loopback.js";

export type FaultMode = "pass" | "refuse" | "blackhole" | "strip-starttls" | "cut-after-proceed";

interface Pair {
  device: Socket;
  hub: Socket | undefined;
  frozen: boolean;
}

export class FaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  /** What happens to connections from now on (the faults on open ones are `cut` and `freeze`). */
  mode: FaultMode = "pass";
  /** Connections accepted so far. */
  accepted = 0;
  /** Connections cut by the proxy (cut(), cut-after-proceed). */
  cuts = 0;
  /** Everything the device sent, as text, while the mode was strip-starttls (to show no credentials left). */
  readonly plaintextFromDevice: string[] = [];

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
    server.on("connection", (socket) => this.#accept(socket));
  }

  /** Listens on a free loopback port and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, target);
    await listenOnLoopback(server);
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Connections open now. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Cuts every open connection, both directions, at once; returns how many. */
  cut(): number {
    const count = this.#pairs.size;
    for (const pair of [...this.#pairs]) this.#close(pair);
    this.cuts += count;
    return count;
  }

  /** Open connections stay open but nothing passes either way, until `thaw()`. */
  freeze(): void {
    for (const pair of this.#pairs) pair.frozen = true;
  }

  thaw(): void {
    for (const pair of this.#pairs) pair.frozen = false;
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#close(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(device: Socket): void {
    this.accepted += 1;
    const pair: Pair = { device, hub: undefined, frozen: false };
    this.#pairs.add(pair);
    device.on("error", () => this.#close(pair));
    device.on("close", () => this.#close(pair));
    const mode = this.mode;
    if (mode === "refuse") {
      this.#close(pair);
      return;
    }
    if (mode === "blackhole") {
      device.on("data", () => {});
      return;
    }
    const hub = tcpConnect(this.#target.port, this.#target.host);
    pair.hub = hub;
    hub.on("error", () => this.#close(pair));
    hub.on("close", () => this.#close(pair));
    let secured = false;
    device.on("data", (bytes: Buffer) => {
      if (pair.frozen) return;
      if (mode === "strip-starttls" && !secured) this.plaintextFromDevice.push(bytes.toString("latin1"));
      hub.write(bytes);
    });
    hub.on("data", (bytes: Buffer) => {
      if (pair.frozen) return;
      if (secured) {
        device.write(bytes);
        return;
      }
      let text = bytes.toString("latin1");
      if (mode === "strip-starttls") text = text.replace(/<starttls\b[^>]*?(?:\/>|>[\s\S]*?<\/starttls>)/g, "");
      device.write(Buffer.from(text, "latin1"));
      if (/<proceed\b/.test(text)) {
        secured = true;
        if (mode === "cut-after-proceed") {
          setTimeout(() => {
            if (this.#pairs.has(pair)) this.cuts += 1;
            this.#close(pair);
          }, 20);
        }
      }
    });
  }

  #close(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    pair.device.destroy();
    pair.hub?.destroy();
  }
}
