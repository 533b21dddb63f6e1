// Servers the tests start listen on loopback only, on a port the kernel picks.
import type { Server } from "node:net";

/** Starts `server` listening on a free 127.0.0.1 port; resolves once it listens, rejects if it cannot. */
export function listenOnLoopback(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
