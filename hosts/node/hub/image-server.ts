// `npm run hub -- images=<dir>`: the update images of a folder served over HTTPS on loopback with
// the hub's own certificate, so a device trusting the hub's CA downloads them under the hub's
// name (the update command's URL is https://<domain>:<port>/<file>). Files only, by name: no
// listing, nothing outside the folder.

import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";

export interface ImageServer {
  readonly port: number;
  /** The URL an owner gives `update` for `file` of the folder. */
  url(file: string): string;
  close(): Promise<void>;
}

export async function serveImages(options: { dir: string; domain: string; cert: Buffer; key: Buffer; port?: number }): Promise<ImageServer> {
  const server: Server = createServer({ cert: options.cert, key: options.key }, (request, response) => {
    const name = decodeURIComponent((request.url ?? "/").split("?")[0]!.slice(1));
    // One plain file name: "../x", "a/b" and hidden files are not served.
    if (request.method !== "GET" || name === "" || name !== basename(name) || name.startsWith(".")) {
      response.writeHead(404).end();
      return;
    }
    const path = join(options.dir, name);
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new Error("not a file");
      size = stat.size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (file) => `https://${options.domain}:${port}/${encodeURIComponent(file)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
