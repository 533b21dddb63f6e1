// The desktop's HTTP adapter for the set-up page (src/app/provisioning.ts): node:http on
// 127.0.0.1, a free port unless one is given; each request's body read whole (up to the form
// limit) and handed to the page, its answer written back.

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAX_FORM_BYTES, type SetUpPage } from "../../src/app/provisioning.js";

export interface SetUpServer {
  readonly url: string;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        resolve(undefined);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export async function startSetUpServer(page: SetUpPage, port = 0): Promise<SetUpServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      if (Number(request.headers["content-length"] ?? 0) > MAX_FORM_BYTES) {
        response.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`the form is larger than ${MAX_FORM_BYTES} bytes\n`);
        return;
      }
      const body = await readBody(request);
      if (body === undefined) {
        response.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" }).end(`the form is larger than ${MAX_FORM_BYTES} bytes\n`);
        return;
      }
      const answer = page.handle({ method: request.method ?? "GET", path: request.url ?? "/", body });
      response.writeHead(answer.status, answer.headers);
      response.end(request.method === "HEAD" ? undefined : answer.body, () => answer.after?.());
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      response.end(`the set-up page failed: ${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
