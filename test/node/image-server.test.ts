// The hub's update image server: a file of the folder over HTTPS under the hub's name, fetched the
// way a desktop device fetches an update; nothing outside the folder, no hidden files, no listing.

import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCertificates, type Certificates } from "../../hosts/node/hub/certificates.js";
import { serveImages, type ImageServer } from "../../hosts/node/hub/image-server.js";
import { httpsDownload } from "../../hosts/node/update-runtime.js";

describe("hub: update images over HTTPS", function () {
  this.timeout(60_000);
  let scratch: string;
  let certs: Certificates;
  let images: ImageServer;
  const image = Buffer.alloc(150_000, 7);

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-images-"));
    certs = await ensureCertificates(join(scratch, "hub"), "hub.test");
    const dir = join(scratch, "images");
    mkdirSync(dir);
    writeFileSync(join(dir, "microwave-0.2.0.bin"), image);
    writeFileSync(join(dir, ".secret"), "hidden");
    writeFileSync(join(scratch, "outside.bin"), "outside");
    images = await serveImages({ dir, domain: "hub.test", cert: readFileSync(certs.certPath), key: readFileSync(certs.keyPath) });
  });

  after(async () => {
    await images?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const fetch = async (url: string): Promise<Buffer> => {
    const parts: Uint8Array[] = [];
    await httpsDownload({ caPem: certs.caPem, address: () => "127.0.0.1" })(url, (chunk) => parts.push(chunk.slice()));
    return Buffer.concat(parts);
  };

  it("serves a file of the folder under the hub's name, checked against the hub's CA", async () => {
    assert.equal(images.url("microwave-0.2.0.bin"), `https://hub.test:${images.port}/microwave-0.2.0.bin`);
    assert.deepEqual(await fetch(images.url("microwave-0.2.0.bin")), image);
  });

  for (const path of ["/..%2Foutside.bin", "/.secret", "/", "/missing.bin"]) {
    it(`answers 404 for ${path}`, async () => {
      await assert.rejects(fetch(`https://hub.test:${images.port}${path}`), /HTTP 404/);
    });
  }
});
