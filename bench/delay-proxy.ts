// A TCP proxy on loopback that delays every byte by half a round trip each way (a congested
// home link in a box) and counts the client's flights: the bursts it sends, each after hearing
// from the server, which is what a login's round trips are made of.
import net from "node:net";
import { LOOPBACK } from "../hosts/node/hub/loopback-port.js";

/** One proxied connection, as the benchmark reads it. */
export interface ProxiedConnection {
  /** performance.now() when the client connected. */
  readonly openedAt: number;
  /**
   * Client flights so far, the TCP handshake's SYN counted as the first: a flight starts with
   * the first client bytes after the server last spoke (or at the start).
   */
  readonly flights: number;
  /** Bytes each way. */
  readonly sent: number;
  readonly received: number;
  /**
   * The client flights counted when the server last reached the client at or before `time`
   * (performance.now()): the flights a login took when `time` is the moment it came online,
   * without what the client sent once online (presence) before the count was read.
   */
  flightsAt(time: number): number;
}

export class DelayProxy {
  readonly #target: { host: string; port: number };
  readonly #server: net.Server;
  readonly #open = new Set<net.Socket>();
  #oneWayMs: number;
  readonly connections: ProxiedConnection[] = [];

  private constructor(target: { host: string; port: number }, rttMs: number) {
    this.#target = target;
    this.#oneWayMs = rttMs / 2;
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Listens on a free loopback port and forwards to `target` with `rttMs` added to each round trip. */
  static async start(target: { host: string; port: number }, rttMs: number): Promise<DelayProxy> {
    const proxy = new DelayProxy(target, rttMs);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen({ host: LOOPBACK, port: 0 }, () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** The delay for connections opened from now on (and bytes still to come on open ones). */
  set rttMs(value: number) {
    this.#oneWayMs = value / 2;
  }

  /** Cuts every open connection at once, both sides (a router reboot, as the client sees it). */
  cut(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: net.Socket): void {
    client.setNoDelay(true);
    const openedAt = performance.now();
    const heard: { at: number; flights: number }[] = [];
    const record = {
      openedAt,
      flights: 1, // the SYN
      sent: 0,
      received: 0,
      flightsAt: (time: number) => heard.filter((entry) => entry.at <= time).at(-1)?.flights ?? 1,
    };
    this.connections.push(record);
    const server = net.connect({ host: this.#target.host, port: this.#target.port });
    server.setNoDelay(true);
    this.#open.add(client);
    this.#open.add(server);
    // The SYN-ACK: the client's first bytes are a flight of their own after the SYN.
    let serverSpoke = true;
    // A real TCP handshake costs one round trip before the client's first byte can leave; the
    // loopback connect here is instant, so client bytes wait until a round trip after it.
    const handshakeDone = openedAt + 2 * this.#oneWayMs;
    let clientQueueEnd = 0;
    let serverQueueEnd = 0;
    const close = () => {
      client.destroy();
      server.destroy();
      this.#open.delete(client);
      this.#open.delete(server);
    };
    client.on("data", (chunk: Buffer) => {
      if (serverSpoke) {
        record.flights += 1;
        serverSpoke = false;
      }
      record.sent += chunk.length;
      // Each byte leaves no earlier than the previous one: timers of equal delay keep order.
      const due = Math.max(performance.now(), handshakeDone, clientQueueEnd) + this.#oneWayMs;
      clientQueueEnd = due - this.#oneWayMs;
      setTimeout(() => server.destroyed || server.write(chunk), Math.max(0, due - performance.now()));
    });
    server.on("data", (chunk: Buffer) => {
      record.received += chunk.length;
      const due = Math.max(performance.now(), serverQueueEnd) + this.#oneWayMs;
      serverQueueEnd = due - this.#oneWayMs;
      setTimeout(() => {
        if (client.destroyed) return;
        // The client has heard from the server only once these bytes reach it.
        serverSpoke = true;
        heard.push({ at: performance.now(), flights: record.flights });
        client.write(chunk);
      }, Math.max(0, due - performance.now()));
    });
    // Ends travel as late as the bytes before them.
    client.on("end", () => setTimeout(() => server.end(), this.#oneWayMs + Math.max(0, clientQueueEnd - performance.now())));
    server.on("end", () => setTimeout(() => client.end(), this.#oneWayMs + Math.max(0, serverQueueEnd - performance.now())));
    client.on("error", close);
    server.on("error", close);
    client.on("close", close);
    server.on("close", close);
  }
}
