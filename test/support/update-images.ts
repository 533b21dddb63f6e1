// Signed update images for the update tests, and an HTTPS server on loopback that serves them the
// way the tests need: whole, not at all (404), or cut short once part of the body has left.

import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

/** An image as the hosts take it: its descriptor (padded, so the download takes several chunks), then its ECDSA P-256 signature (IEEE P1363). */
export function signedImage(version: string, key: KeyObject, padding: number): Buffer {
  const firmware = Buffer.from(JSON.stringify({ version, padding: "x".repeat(padding) }));
  return Buffer.concat([firmware, sign("sha256", createHash("sha256").update(firmware).digest(), { key, dsaEncoding: "ieee-p1363" })]);
}

/**
 * The tests' images by path: /0.2.0.bin and /0.3.0.bin (a small one) signed with `trusted`,
 * /other-key.bin signed with a key of its own, and /cut.bin, which `serveImages` cuts short.
 */
export function testImages(trusted: KeyObject, padding: number): Map<string, Buffer> {
  return new Map([
    ["/0.2.0.bin", signedImage("0.2.0", trusted, padding)],
    ["/0.3.0.bin", signedImage("0.3.0", trusted, 1000)],
    ["/other-key.bin", signedImage("0.9.0", generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, padding)],
    ["/cut.bin", signedImage("0.9.1", trusted, padding)],
  ]);
}

export interface ImageServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `images` over HTTPS on loopback with the certificate and key in the given files, each with
 * its Content-Length; /cut.bin is cut after `cutAfter` bytes of its body (when given).
 */
export async function serveImages(images: ReadonlyMap<string, Buffer>, files: { certPath: string; keyPath: string }, cutAfter?: number): Promise<ImageServer> {
  const server: Server = createServer({ cert: readFileSync(files.certPath), key: readFileSync(files.keyPath) }, (request, response) => {
    const file = images.get(request.url ?? "");
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-length": String(file.length) });
    if (request.url === "/cut.bin" && cutAfter !== undefined) response.write(file.subarray(0, cutAfter), () => setTimeout(() => response.destroy(), 200));
    else response.end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
