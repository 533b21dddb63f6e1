// A TCP balancer on loopback in front of a cluster's nodes, standing in for the load balancer
// (or DNS SRV records) a real deployment puts there: each new connection goes to the next node
// that accepts it, so devices spread over the nodes and, when one stops, reconnect to another.
// It forwards bytes only: TLS runs end to end between the device and the node.
import net from "node:net";
import { LOOPBACK } from "./loopback-port.js";

export interface Balancer {
  readonly port: number;
  /** How many connections went to each node so far, in the order of the ports given. */
  counts(): number[];
  close(): void;
}

export function startBalancer(port: number, nodePorts: readonly number[]): Promise<Balancer> {
  let next = 0;
  const counts = nodePorts.map(() => 0);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    // Try each node once, starting with the next in turn; a node that refuses is skipped.
    const tryNode = (tried: number) => {
      if (tried === nodePorts.length) {
        client.destroy();
        return;
      }
      const index = (next + tried) % nodePorts.length;
      const upstream = net.connect({ host: LOOPBACK, port: nodePorts[index]! });
      upstream.setNoDelay(true);
      upstream.once("error", () => {
        upstream.destroy();
        if (!client.destroyed) tryNode(tried + 1);
      });
      upstream.once("connect", () => {
        next = (index + 1) % nodePorts.length;
        counts[index]!++;
        sockets.add(upstream);
        upstream.once("close", () => sockets.delete(upstream));
        upstream.removeAllListeners("error");
        upstream.on("error", () => client.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        client.setNoDelay(true);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNode(0);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: LOOPBACK, port, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as net.AddressInfo).port,
        counts: () => [...counts],
        close: () => {
          server.close();
          for (const socket of sockets) socket.destroy();
        },
      });
    });
  });
}
