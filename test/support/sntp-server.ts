// A one-purpose SNTP server for tests: answers every request on a free loopback UDP port with
// this machine's time (or a given one), and counts the requests.

import { createSocket } from "node:dgram";

export interface SntpServer {
  readonly port: number;
  readonly requests: number;
  stop(): Promise<void>;
}

const NTP_TO_UNIX_S = 2_208_988_800;

export function startSntpServer(now: () => number = Date.now): Promise<SntpServer> {
  const socket = createSocket("udp4");
  let requests = 0;
  socket.on("message", (request, from) => {
    if (request.length < 48 || (request[0]! & 7) !== 3) return;
    requests++;
    const answer = Buffer.alloc(48);
    answer[0] = (0 << 6) | (4 << 3) | 4; // no leap warning, version 4, server
    answer[1] = 2; // stratum
    const ms = now();
    const seconds = Math.floor(ms / 1000) + NTP_TO_UNIX_S;
    const fraction = Math.floor(((ms % 1000) / 1000) * 2 ** 32);
    request.copy(answer, 24, 40, 48); // originate = the client's transmit time
    for (const offset of [32, 40]) {
      answer.writeUInt32BE(seconds >>> 0, offset);
      answer.writeUInt32BE(fraction >>> 0, offset + 4);
    }
    socket.send(answer, from.port, from.address);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: "127.0.0.1", port: 0 }, () => {
      resolve({
        port: socket.address().port,
        get requests() {
          return requests;
        },
        stop: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}
