// The dashboard's HTTP server on 127.0.0.1: the built page (build/web/) and its login defaults
// as /config.json, to this machine's browsers only.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { LOOPBACK } from "../hub/loopback-port.js";
import type { LoginDefaults } from "./settings.js";

export interface DashboardServer {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections. Safe to call more than once. */
  close(): Promise<void>;
}

/** The files of the page, built by scripts/build.mjs from web/. */
const PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/dashboard.js": { file: "dashboard.js", type: "text/javascript; charset=utf-8" },
  "/dashboard.css": { file: "dashboard.css", type: "text/css; charset=utf-8" },
  "/dashboard.js.map": { file: "dashboard.js.map", type: "application/json; charset=utf-8" },
  "/dashboard.css.map": { file: "dashboard.css.map", type: "application/json; charset=utf-8" },
};

export async function startDashboardServer(options: { pageDir: string; port: number; login: LoginDefaults }): Promise<DashboardServer> {
  for (const { file } of Object.values(PAGE_FILES)) {
    if (!existsSync(join(options.pageDir, file))) {
      throw new Error(`dashboard: the page is not built (${file} missing in ${options.pageDir}); run node scripts/build.mjs, or npm run dashboard, which builds first`);
    }
  }
  const config = JSON.stringify(options.login);
  let port = options.port;
  const server = createServer((request, response) => answer(request, response, options.pageDir, config, port));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`dashboard: port ${options.port} on ${LOOPBACK} is in use; choose another with port=, or port=0 for a free one`) : error));
    server.listen({ host: LOOPBACK, port: options.port }, resolve);
  });
  port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${port}/`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function answer(request: IncomingMessage, response: ServerResponse, pageDir: string, config: string, port: number): void {
  // Only this machine's own names: a page elsewhere that rebinds its DNS name to 127.0.0.1
  // must not read the login defaults (they may hold the owner's password).
  const host = request.headers.host ?? "";
  if (host !== `${LOOPBACK}:${port}` && host !== `localhost:${port}`) {
    return send(response, 421, "text/plain; charset=utf-8", `open the dashboard as http://${LOOPBACK}:${port}/\n`);
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    return send(response, 405, "text/plain; charset=utf-8", "the dashboard only serves its page (GET)\n");
  }
  const path = new URL(request.url ?? "/", `http://${host}`).pathname;
  if (path === "/config.json") return send(response, 200, "application/json; charset=utf-8", config, request.method === "HEAD");
  const page = PAGE_FILES[path];
  if (page === undefined) return send(response, 404, "text/plain; charset=utf-8", `no ${path} here; the dashboard is at /\n`);
  // Read on every request, so a rebuild shows on reload.
  send(response, 200, page.type, readFileSync(join(pageDir, page.file)), request.method === "HEAD");
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
  response.writeHead(status, {
    "Content-Type": type,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    // The page talks to the hub's WebSocket endpoint, wherever the login form points it.
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:",
  });
  response.end(headOnly ? undefined : body);
}
