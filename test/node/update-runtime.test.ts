// A signed update on the desktop's runtime: the image served over HTTPS on loopback by a server
// the hub's CA signed, the real ECDSA P-256 check; a good image, another key, a cut download and
// a server the device's CA did not sign.

import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../support/fake-host.js";
import { FirmwareUpdate, SimulatedPartitions } from "../../src/app/firmware-update.js";
import { ensureCertificates, type Certificates } from "../../hosts/node/hub/certificates.js";
import { ecdsaVerifier, httpsDownload, nodeSha256 } from "../../hosts/node/update-runtime.js";
import { signedImage } from "../../hosts/node/sign-image.js";

const FIRMWARE = Buffer.alloc(300_000, 0).map((_, i) => (i * 13) & 0xff);

function keyPair() {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

/** The image file: the firmware, then ECDSA P-256/SHA-256 over the firmware's SHA-256, r || s. */
function imageFile(privateKey: ReturnType<typeof keyPair>["privateKey"]): Buffer {
  const digest = createHash("sha256").update(FIRMWARE).digest();
  return Buffer.concat([FIRMWARE, sign("sha256", digest, { key: privateKey, dsaEncoding: "ieee-p1363" })]);
}

describe("signed update on the desktop runtime (HTTPS on loopback, ECDSA P-256)", function () {
  this.timeout(60_000);
  let scratch: string;
  let certs: Certificates;
  let otherCa: Certificates;
  let server: Server;
  let port: number;
  const files = new Map<string, Buffer>();
  const trusted = keyPair();

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "xmpp-appliance-update-"));
    certs = await ensureCertificates(join(scratch, "hub"), "hub.test");
    otherCa = await ensureCertificates(join(scratch, "other"), "hub.test");
    server = createServer({ cert: readFileSync(certs.certPath), key: readFileSync(certs.keyPath) }, (request, response) => {
      const file = files.get(request.url ?? "");
      if (!file) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-length": String(file.length) });
      if (request.url === "/cut.bin") {
        response.write(file.subarray(0, 100_000), () => response.destroy());
        return;
      }
      response.end(file);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    files.set("/good.bin", imageFile(trusted.privateKey));
    files.set("/other-key.bin", imageFile(keyPair().privateKey));
    files.set("/cut.bin", imageFile(trusted.privateKey));
    files.set("/signed-by-the-build-step.bin", signedImage(FIRMWARE, trusted.privateKey.export({ type: "pkcs8", format: "pem" }) as string));
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function attempt(name: string, caPem = certs.caPem) {
    const slot = new SimulatedPartitions(new Uint8Array([1, 2, 3]));
    let restarts = 0;
    let safe = 0;
    const update = new FirmwareUpdate({
      runtime: {
        slot,
        download: httpsDownload({ caPem, address: () => "127.0.0.1" }),
        sha256: nodeSha256,
        verify: ecdsaVerifier(trusted.publicKey.export({ type: "spki", format: "pem" }) as string),
        restart: () => restarts++,
      },
      host: new FakeClock(),
      safe: () => safe++,
      progress: () => {},
      log: () => {},
    });
    const file = files.get(`/${name}`)!;
    const digest = createHash("sha256").update(file).digest("hex");
    return { slot, run: () => update.run(`https://hub.test:${port}/${name}`, digest), safe: () => safe, restarts: () => restarts };
  }

  it("downloads and accepts an image signed with the firmware's key", async () => {
    const { slot, run, safe } = attempt("good.bin");
    assert.match(await run(), /^ok: update checked \(300064 bytes, SHA-256 and signature\)/);
    assert.equal(safe(), 1);
    assert.deepEqual(Buffer.from(slot.restart()), FIRMWARE);
  });

  it("accepts an image made by the build step (npm run sign-image) with the user's key", async () => {
    const { slot, run } = attempt("signed-by-the-build-step.bin");
    assert.match(await run(), /^ok: update checked/);
    assert.deepEqual(Buffer.from(slot.restart()), FIRMWARE);
  });

  it("refuses an image signed with another key, changing nothing", async () => {
    const { slot, run, safe } = attempt("other-key.bin");
    assert.match(await run(), /^error: the image's signature is not valid for this firmware's key/);
    assert.equal(safe(), 0);
    assert.deepEqual([...slot.restart()], [1, 2, 3]);
  });

  it("changes nothing when the server cuts the download", async () => {
    const { slot, run, safe } = attempt("cut.bin");
    assert.match(await run(), /^error: the download failed after \d+ bytes \(.+\); nothing was changed, the running image stays$/);
    assert.equal(safe(), 0);
    assert.deepEqual([...slot.restart()], [1, 2, 3]);
  });

  it("refuses a server its CA did not sign, before any byte is written", async () => {
    const { slot, run } = attempt("good.bin", otherCa.caPem);
    assert.match(await run(), /^error: the download failed after 0 bytes \(.*certificate.*\)/i);
    assert.deepEqual([...slot.restart()], [1, 2, 3]);
  });
});
