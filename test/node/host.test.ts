// The Node host's connection: plain bytes both ways, then STARTTLS over the same socket that
// checks the CA and the server name, and a close path that reports once.

import { CertificateError } from "../../src/host.js";
import { strict as assert } from "node:assert";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket, createSecureContext } from "node:tls";
import { createNodeHost } from "../../hosts/node/host.js";
import { ensureCertificates } from "../../hosts/node/hub/certificates.js";
import type { Connection, Host } from "../../src/host.js";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A loopback server that echoes "plain:" lines, upgrades on "STARTTLS\n", then echoes "tls:" lines. */
async function startTlsEchoServer(certPath: string, keyPath: string): Promise<{ server: Server; port: number }> {
  // TLS 1.2, as the Moddable SDK speaks it (and the hub of bench:login).
  const context = createSecureContext({ cert: readFileSync(certPath), key: readFileSync(keyPath), maxVersion: "TLSv1.2" });
  const server = createServer((socket: Socket) => {
    socket.on("error", () => {});
    const onPlain = (chunk: Buffer) => {
      const text = chunk.toString();
      if (text === "STARTTLS\n") {
        socket.off("data", onPlain);
        socket.write("PROCEED\n", () => {
          const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
          secure.on("error", () => {});
          secure.on("data", (data: Buffer) => secure.write(`tls:${data.toString()}`));
        });
      } else socket.write(`plain:${text}`);
    };
    socket.on("data", onPlain);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as { port: number }).port };
}

describe("Node host connection", function () {
  this.timeout(30_000);
  let dir: string;
  let server: Server;
  let port: number;
  let caPem: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "xmpp-appliance-host-"));
    const certificates = await ensureCertificates(dir, "hub.test");
    caPem = certificates.caPem;
    ({ server, port } = await startTlsEchoServer(certificates.certPath, certificates.keyPath));
  });

  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(ca = caPem, host = createNodeHost({ ca })) {
    const received: string[] = [];
    const closes: (Error | undefined)[] = [];
    let waiter: (() => void) | undefined;
    const connection: Connection = await host.connect(
      { host: "127.0.0.1", port },
      {
        onData: (bytes) => {
          received.push(decoder.decode(bytes));
          waiter?.();
        },
        onClose: (error) => closes.push(error),
      },
    );
    const next = () =>
      new Promise<string>((resolve) => {
        if (received.length) return resolve(received.shift()!);
        waiter = () => {
          waiter = undefined;
          resolve(received.shift()!);
        };
      });
    return { connection, next, closes };
  }

  async function upgrade(serverName: string, ca?: string, host?: Host) {
    const opened = await open(ca, host);
    opened.connection.send(encoder.encode("STARTTLS\n"));
    assert.equal(await opened.next(), "PROCEED\n");
    return { ...opened, tls: opened.connection.startTLS(serverName) };
  }

  it("carries bytes both ways, then upgrades the same socket to TLS when the CA and name match", async () => {
    const { connection, next, tls } = await upgrade("hub.test");
    await tls;
    assert.equal(connection.secure, true);
    connection.send(encoder.encode("hello"));
    assert.equal(await next(), "tls:hello");
    connection.close();
  });

  it("calls beforeSend once before each write, in plain text and in TLS, so what the device logs leaves before what it sends", async () => {
    const calls: string[] = [];
    let sends = 0;
    const host = createNodeHost({ ca: caPem, beforeSend: () => calls.push(`before send ${sends + 1}`) });
    const { connection, next, tls } = await upgrade("hub.test", caPem, host);
    assert.deepEqual(calls, ["before send 1"], "the STARTTLS line");
    sends = 1;
    await tls;
    connection.send(encoder.encode("hello"));
    assert.deepEqual(calls, ["before send 1", "before send 2"], "called while send() runs, before it returns");
    assert.equal(await next(), "tls:hello");
    connection.close();
  });

  it("resumes the TLS session of the last connection to the same server on reconnect, and only then", async () => {
    const host = createNodeHost({ ca: caPem });
    const first = await upgrade("hub.test", caPem, host);
    await first.tls;
    assert.equal(first.connection.resumed, false, "a first handshake is a full one");
    first.connection.send(encoder.encode("one"));
    assert.equal(await first.next(), "tls:one");
    first.connection.close();
    const second = await upgrade("hub.test", caPem, host);
    await second.tls;
    assert.equal(second.connection.resumed, true, "the reconnect resumed the session");
    second.connection.send(encoder.encode("two"));
    assert.equal(await second.next(), "tls:two");
    second.connection.close();
    const elsewhere = await upgrade("hub.test", caPem, createNodeHost({ ca: caPem }));
    await elsewhere.tls;
    assert.equal(elsewhere.connection.resumed, false, "another host keeps its own sessions");
    elsewhere.connection.close();
  });

  it("refuses a certificate for another name", async () => {
    const { tls, closes } = await upgrade("other.test");
    await assert.rejects(tls, (error) => error instanceof CertificateError && /not for other\.test/.test(error.message));
    assert.equal(closes.length, 1, "the connection is closed, once");
  });

  it("refuses a certificate its CA did not sign", async () => {
    const otherDir = mkdtempSync(join(tmpdir(), "xmpp-appliance-other-ca-"));
    try {
      const other = await ensureCertificates(otherDir, "hub.test");
      const { tls } = await upgrade("hub.test", other.caPem);
      await assert.rejects(tls, (error) => error instanceof CertificateError && /not signed by the configured CA/.test(error.message));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("rejects with a plain Error, not a CertificateError, when the connection is cut during the handshake", async () => {
    const cutter = createServer((socket: Socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.write("PROCEED\n", () => setTimeout(() => socket.destroy(), 20)));
    });
    cutter.listen(0, "127.0.0.1");
    await once(cutter, "listening");
    try {
      const cutPort = (cutter.address() as { port: number }).port;
      const connection = await createNodeHost({ ca: caPem }).connect({ host: "127.0.0.1", port: cutPort }, { onData: () => {}, onClose: () => {} });
      connection.send(encoder.encode("STARTTLS\n"));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await assert.rejects(connection.startTLS("hub.test"), (error) => error instanceof Error && !(error instanceof CertificateError));
    } finally {
      cutter.close();
    }
  });

  it("sends nothing while the TLS handshake is under way", async () => {
    const { connection, tls } = await upgrade("hub.test");
    assert.throws(() => connection.send(encoder.encode("too early")), /while TLS is being negotiated/);
    await tls;
    connection.close();
  });

  it("reports close once, without an error when we closed it, and refuses to send afterwards", async () => {
    const { connection, closes } = await open();
    connection.close();
    connection.close();
    assert.deepEqual(closes, [undefined]);
    assert.throws(() => connection.send(encoder.encode("x")), /closed/);
  });

  it("says which endpoint refused the connection", async () => {
    const free = createServer();
    free.listen(0, "127.0.0.1");
    await once(free, "listening");
    const unused = (free.address() as { port: number }).port;
    free.close();
    await assert.rejects(
      createNodeHost({ ca: caPem }).connect({ host: "127.0.0.1", port: unused }, { onData() {}, onClose() {} }),
      new RegExp(`cannot connect to 127\\.0\\.0\\.1:${unused}: .*ECONNREFUSED`),
    );
  });
});
