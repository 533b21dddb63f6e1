// The reference client (@xmpp/client through hubClient) against a real Prosody, behind a proxy
// that can end a connection the way ejabberd sometimes does. ejabberd answers the client's
// </stream:stream> with its own and closes its socket with no TLS close_notify; the client's
// close_notify then meets a closed socket, and the client, still waiting to read, gets a TCP
// reset. Prosody sends a close_notify, which lets the client close first, so the proxy drops it.
import assert from "node:assert/strict";
import { type AddressInfo, createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { hubClient } from "../support/hub-client.js";
import { type Hub, startTestHub } from "../support/prosody.js";
import { listenOnLoopback } from "../support/loopback.js";

const owner = { user: "owner", password: "owner secret" };

/** Splits a TLS byte stream into whole records (5-byte header, its last two bytes the length). */
class TlsRecords {
  #pending = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const records: Buffer[] = [];
    while (this.#pending.length >= 5 && this.#pending.length >= 5 + this.#pending.readUInt16BE(3)) {
      const size = 5 + this.#pending.readUInt16BE(3);
      records.push(this.#pending.subarray(0, size));
      this.#pending = this.#pending.subarray(size);
    }
    return records;
  }
}

interface Link {
  readonly client: Socket;
  /** Set by endLikeEjabberd(): what is left of the closing exchange. */
  ending?: { clientRecords: number; hubRecords: TlsRecords; hubForwarded: number };
}

class ResettingProxy {
  readonly #server: Server;
  readonly #links = new Set<Link>();
  /** Connections the proxy ended with a reset. */
  resets = 0;

  private constructor(server: Server, target: number) {
    this.#server = server;
    server.on("connection", (client) => {
      const link: Link = { client };
      this.#links.add(link);
      const hub = tcpConnect({ host: "127.0.0.1", port: target });
      client.on("data", (chunk: Buffer) => {
        const ending = link.ending;
        // The client's </stream:stream> goes through; what it sends after the hub's answer
        // (its close_notify) finds the socket closed.
        if (ending !== undefined && ++ending.clientRecords > 1) this.#reset(client);
        else hub.write(chunk);
      });
      hub.on("data", (chunk: Buffer) => {
        const ending = link.ending;
        if (ending === undefined) return void client.write(chunk);
        // The hub's </stream:stream> goes through; its close_notify does not.
        for (const record of ending.hubRecords.push(chunk)) if (ending.hubForwarded++ === 0) client.write(record);
      });
      // The hub's FIN is not passed on (the client keeps reading); the client's is answered
      // with the reset too, in case its close_notify and FIN arrive as one.
      client.on("end", () => this.#reset(client));
      client.on("close", () => {
        this.#links.delete(link);
        hub.destroy();
      });
      for (const socket of [client, hub]) socket.on("error", () => {});
    });
  }

  static async start(target: number): Promise<ResettingProxy> {
    const server = createServer({ allowHalfOpen: true });
    const proxy = new ResettingProxy(server, target);
    await listenOnLoopback(server);
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The connections open now end as described at the top, once the client closes its stream. */
  endLikeEjabberd(): void {
    for (const link of this.#links) link.ending = { clientRecords: 0, hubRecords: new TlsRecords(), hubForwarded: 0 };
  }

  resetAll(): void {
    for (const link of this.#links) this.#reset(link.client);
  }

  #reset(client: Socket): void {
    if (client.destroyed) return;
    this.resets += 1;
    client.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const link of this.#links) link.client.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

describe("the reference client when the hub resets its connection", function () {
  this.timeout(30000);
  let hub: Hub;
  let proxy: ResettingProxy;

  before(async () => {
    hub = await startTestHub([owner]);
    proxy = await ResettingProxy.start(hub.c2sPort);
  });
  after(async () => {
    await proxy?.close();
    await hub?.stop();
  });

  const viaProxy = (): Hub => ({ ...hub, c2sPort: proxy.port });
  const codeOf = (error: unknown): unknown => (error as { code?: unknown }).code;

  it("stops with no error when the reset comes after both sides ended the stream (ejabberd closing first)", async () => {
    const before = proxy.resets;
    const xmpp = hubClient(viaProxy(), owner, { resource: "test" });
    const errors: unknown[] = [];
    xmpp.on("error", (error: unknown) => errors.push(error));
    await xmpp.start();
    proxy.endLikeEjabberd();
    await xmpp.stop();
    assert.equal(proxy.resets, before + 1, "the proxy answered the client's close_notify with a reset");
    assert.equal(xmpp.status, "offline");
    assert.deepEqual(errors.map(codeOf), []);
  });

  it("still reports a reset while the stream is open", async () => {
    const xmpp = hubClient(viaProxy(), owner, { resource: "test" });
    const errors: unknown[] = [];
    xmpp.on("error", (error: unknown) => errors.push(error));
    await xmpp.start();
    const disconnected = new Promise((resolve) => xmpp.once("disconnect", resolve));
    proxy.resetAll();
    await disconnected;
    assert.deepEqual(errors.map(codeOf), ["ECONNRESET"]);
    await xmpp.stop().catch(() => {});
  });
});
