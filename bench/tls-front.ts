// A TLS front that keeps TLS 1.2 session ids, as a stream proxy or load balancer in front of an
// XMPP server does: it ends the client's direct TLS with the hub's own certificate and key and
// carries the plaintext over a TLS connection of its own to the hub's direct TLS port. Prosody
// 0.12 resumes no session id (LuaSec turns OpenSSL's session cache off; only tickets resume) and
// the Moddable SDK's TLS sends no ticket, so this is where a Moddable reconnect can resume.
import { constants } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { LOOPBACK } from "../hosts/node/hub/loopback-port.js";

export interface TlsFrontOptions {
  /** The server certificate followed by its CA's (the hub's certPath). */
  certPath: string;
  keyPath: string;
  /** The CA the front trusts for the hub. */
  caPem: string;
  /** The hub's direct TLS port and the name its certificate is for. */
  target: { host: string; port: number; serverName: string };
}

export class TlsFront {
  readonly #server: tls.Server;
  readonly #sessions = new Map<string, Buffer>();
  readonly #open = new Set<net.Socket>();
  readonly #target: TlsFrontOptions["target"];
  readonly #caPem: string;
  /** One entry per client handshake that finished, oldest first: whether it resumed a session. */
  readonly handshakes: { resumed: boolean }[] = [];

  private constructor(options: TlsFrontOptions) {
    this.#target = options.target;
    this.#caPem = options.caPem;
    this.#server = tls.createServer({
      cert: readFileSync(options.certPath),
      key: readFileSync(options.keyPath),
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.2",
      // Session ids only: what the Moddable SDK's TLS resumes.
      secureOptions: constants.SSL_OP_NO_TICKET,
    });
    this.#server.on("newSession", (id: Buffer, data: Buffer, done: () => void) => {
      this.#sessions.set(id.toString("hex"), data);
      done();
    });
    this.#server.on("resumeSession", (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => {
      done(null, this.#sessions.get(id.toString("hex")) ?? null);
    });
    this.#server.on("secureConnection", (client) => this.#forward(client));
    // A client that gives up halfway (a cut during the handshake) is no error of the front's.
    this.#server.on("tlsClientError", () => {});
  }

  static async start(options: TlsFrontOptions): Promise<TlsFront> {
    const front = new TlsFront(options);
    await new Promise<void>((resolve, reject) => {
      front.#server.once("error", reject);
      front.#server.listen({ host: LOOPBACK, port: 0 }, () => resolve());
    });
    return front;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** Drops every session kept (a front restarted): the next handshake is a full one. */
  forget(): void {
    this.#sessions.clear();
  }

  /** Cuts every open connection, both sides. */
  cut(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #forward(client: tls.TLSSocket): void {
    this.handshakes.push({ resumed: client.isSessionReused() });
    const upstream = tls.connect({ host: this.#target.host, port: this.#target.port, servername: this.#target.serverName, ca: this.#caPem, minVersion: "TLSv1.2" });
    for (const socket of [client, upstream]) {
      this.#open.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => {});
      socket.on("close", () => {
        this.#open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
