// The core's HTTPS GET (the update download on the Moddable SDK) over the Node host's connection,
// against a loopback HTTPS server signed by the hub's CA: the body whole and in order, a cut, an
// HTTP error, a body without Content-Length, a server the CA did not sign, a silent server.

import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeHost } from "../../hosts/node/host.js";
import { ensureCertificates, type Certificates } from "../../hosts/node/hub/certificates.js";
import { httpsGet, parseHttpsUrl } from "../../src/app/https-get.js";

const BODY = Buffer.alloc(200_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);

describe("httpsGet over the host's connection", function () {
  this.timeout(30_000);
  let scratch: string;
  let certs: Certificates;
  let otherCa: Certificates;
  let server: Server;
  let port: number;
  const requests: string[] = [];

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-https-get-"));
    certs = await ensureCertificates(join(scratch, "hub"), "hub.test");
    otherCa = await ensureCertificates(join(scratch, "other"), "hub.test");
    server = createServer({ cert: readFileSync(certs.certPath), key: readFileSync(certs.keyPath), maxVersion: "TLSv1.2" }, (request, response) => {
      requests.push(`${request.method} ${request.url} host=${request.headers.host}`);
      if (request.url === "/image.bin") response.writeHead(200, { "content-length": String(BODY.length) }).end(BODY);
      else if (request.url === "/cut.bin") {
        response.writeHead(200, { "content-length": String(BODY.length) });
        response.write(BODY.subarray(0, 50_000), () => response.destroy());
      } else if (request.url === "/chunked.bin") {
        response.writeHead(200);
        response.write(BODY.subarray(0, 10));
        response.end(BODY.subarray(10, 20));
      } else if (request.url === "/silent.bin") {
        // Answers nothing.
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function get(path: string, caPem = certs.caPem, idleMs?: number) {
    const chunks: Buffer[] = [];
    const done = httpsGet({ host: createNodeHost({ ca: caPem }), address: () => "127.0.0.1", idleMs }, `https://hub.test:${port}${path}`, (bytes) => {
      chunks.push(Buffer.from(bytes));
    });
    return { done, body: () => Buffer.concat(chunks) };
  }

  it("hands over the whole body in order, asking for the URL's path under its name", async () => {
    const { done, body } = get("/image.bin");
    await done;
    assert.ok(body().equals(BODY));
    assert.ok(requests.includes(`GET /image.bin host=hub.test:${port}`), requests.join("\n"));
  });

  it("rejects a cut download, saying how much came", async () => {
    const { done, body } = get("/cut.bin");
    await assert.rejects(done, /^Error: the connection was cut after (\d+) of 200000 bytes/);
    assert.ok(body().length < BODY.length);
  });

  it("rejects an HTTP error and a body without Content-Length, before handing over any byte", async () => {
    const missing = get("/missing.bin");
    await assert.rejects(missing.done, /the server answered HTTP 404 for https:\/\/hub\.test:\d+\/missing\.bin/);
    const chunked = get("/chunked.bin");
    await assert.rejects(chunked.done, /Transfer-Encoding chunked; an image needs a Content-Length/);
    assert.equal(missing.body().length + chunked.body().length, 0);
  });

  it("rejects a server the device's CA did not sign", async () => {
    const { done, body } = get("/image.bin", otherCa.caPem);
    await assert.rejects(done, /certificate/i);
    assert.equal(body().length, 0);
  });

  it("gives up on a server that sends nothing", async () => {
    await assert.rejects(get("/silent.bin", certs.caPem, 500).done, /no data from hub\.test:\d+ for 1 s/);
  });

  it("takes only https:// URLs with a host name", () => {
    assert.deepEqual(parseHttpsUrl("https://Hub.test:8443/a/b.bin?x=1"), { name: "hub.test", port: 8443, path: "/a/b.bin?x=1" });
    assert.deepEqual(parseHttpsUrl("https://hub.test"), { name: "hub.test", port: 443, path: "/" });
    for (const bad of ["http://hub.test/a", "https://hub.test:99999/a", "https://user@hub.test/a", "https://hub.test/a b"]) assert.throws(() => parseHttpsUrl(bad), /https:\/\/|out of range/);
  });
});
