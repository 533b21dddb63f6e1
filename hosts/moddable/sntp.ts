// One SNTP question over ECMA-419 UDP: the packet and its checks are the core's (src/app/sntp.ts).

import UDP from "embedded:io/socket/udp";
import Timer from "timer";
import { readSntpResponse, sntpRequest } from "../../src/app/sntp.js";
import type { Endpoint } from "../../src/host.js";
import { resolveAddress } from "./resolve.js";

/** How long one question waits for its answer. */
const ANSWER_MS = 3_000;

/** Asks `server` for the time; resolves with Unix ms, rejects with why there is none. */
export async function querySntp(server: Endpoint): Promise<number> {
  const address = await resolveAddress(server.host);
  return new Promise((resolve, reject) => {
    let timer: Timer | undefined;
    let socket: UDP | undefined;
    const finish = (error: Error | undefined, time?: number) => {
      if (timer === undefined) return;
      Timer.clear(timer);
      timer = undefined;
      // The SDK's UDP has close(); its typings (typings/embedded_io/socket/udp.d.ts) leave it out.
      (socket as unknown as { close(): void } | undefined)?.close();
      if (error) reject(error);
      else resolve(time!);
    };
    timer = Timer.set(() => {
      timer && finish(new Error(`no answer within ${ANSWER_MS / 1000} s`));
    }, ANSWER_MS);
    try {
      socket = new UDP({
        onReadable(packets: number) {
          for (let i = 0; i < packets; i++) {
            const packet = this.read();
            if (packet.address !== address || packet.port !== server.port) continue;
            try {
              finish(undefined, readSntpResponse(new Uint8Array(packet)));
            } catch (error) {
              finish(error as Error);
            }
            return;
          }
        },
        onError() {
          finish(new Error("UDP error"));
        },
      });
      socket.write(sntpRequest().buffer as ArrayBuffer, address, server.port);
    } catch (error) {
      finish(error as Error);
    }
  });
}
