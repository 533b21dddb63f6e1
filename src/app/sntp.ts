// SNTP (RFC 4330) for a device that has no clock of its own: the request packet, the checks on
// the answer, and the policy that sets the clock from the first of several sources that answers
// before the first TLS handshake, which checks the server certificate's dates against it.

import type { Host, TimerHandle } from "../host.js";
import { Backoff } from "../xmpp/reconnect.js";
import { describeSource, type SntpSource } from "./sntp-sources.js";

/** Seconds from the NTP era (1900) to the Unix epoch (1970). */
const NTP_TO_UNIX_S = 2_208_988_800;
const PACKET_BYTES = 48;

/** A client request: LI 0, version 4, mode 3 (client); everything else zero. */
export function sntpRequest(): Uint8Array {
  const packet = new Uint8Array(PACKET_BYTES);
  packet[0] = (0 << 6) | (4 << 3) | 3;
  return packet;
}

/** The server's transmit time in Unix milliseconds; throws with the reason for an answer that cannot be used. */
export function readSntpResponse(packet: Uint8Array): number {
  if (packet.byteLength < PACKET_BYTES) throw new Error(`SNTP answer of ${packet.byteLength} bytes, expected ${PACKET_BYTES}`);
  const leap = packet[0]! >> 6;
  const mode = packet[0]! & 7;
  const stratum = packet[1]!;
  if (mode !== 4 && mode !== 5) throw new Error(`SNTP answer in mode ${mode}, not a server's`);
  if (leap === 3) throw new Error("SNTP server says its clock is not synchronised (leap indicator 3)");
  if (stratum === 0) throw new Error("SNTP server sent a kiss-o'-death (stratum 0)");
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const seconds = view.getUint32(40);
  const fraction = view.getUint32(44);
  if (seconds === 0 && fraction === 0) throw new Error("SNTP answer without a transmit time");
  // Era 0 ends in 2036; a reading below 1968 in era 0 is era 1 (RFC 4330 §3).
  const unixSeconds = seconds >= 0x80000000 ? seconds - NTP_TO_UNIX_S : seconds + 2 ** 32 - NTP_TO_UNIX_S;
  return unixSeconds * 1000 + Math.floor((fraction / 2 ** 32) * 1000);
}

/** Certificates made before this instant (2024-01-01) cannot be valid today: a clock below it is unset. */
export const PLAUSIBLE_CLOCK_MS = 1_704_067_200_000;

export interface ClockOptions {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "randomBytes">;
  /** Where to ask, in order (src/app/sntp-sources.ts): the first that answers sets the clock. */
  sources: readonly SntpSource[];
  /** Asks one source once; resolves with its time in Unix ms, rejects with the reason. */
  query(source: SntpSource): Promise<number>;
  /** The device's wall clock now, Unix ms. */
  wallClock(): number;
  /** Sets the wall clock to `ms`. */
  setClock(ms: number): void;
  onEvent(event: "clock set" | "clock kept" | "clock unset", detail: string): void;
}

/**
 * Sets the clock from SNTP before TLS, asking each source in turn until one answers. Resolves
 * once the clock is set, or, when none answers but the clock already reads a plausible time
 * (the simulator's, or one kept across a reboot), at once with a warning. An unset clock cannot
 * check a certificate's dates, so without an answer it asks the list again, with backoff, and
 * says each time which sources failed, why, and what to set.
 */
export function setClock(options: ClockOptions): { done: Promise<void>; stop(): void } {
  if (options.sources.length === 0) throw new TypeError("setClock needs at least one SNTP source");
  const backoff = new Backoff(options.host, { initialMs: 2_000, maxMs: 60_000 });
  let timer: TimerHandle | undefined;
  let stopped = false;
  const done = new Promise<void>((resolve) => {
    const attempt = async (): Promise<void> => {
      const failures: string[] = [];
      for (const source of options.sources) {
        if (stopped) return;
        try {
          const time = await options.query(source);
          if (stopped) return;
          if (time < PLAUSIBLE_CLOCK_MS) throw new Error(`it answered ${new Date(time).toISOString()}, which cannot be today`);
          const offset = time - options.wallClock();
          options.setClock(time);
          const before = failures.length ? `; no time from ${failures.join(", ")}` : "";
          options.onEvent("clock set", `${new Date(time).toISOString()} from ${describeSource(source)} (was ${formatOffset(offset)})${before}`);
          resolve();
          return;
        } catch (error) {
          failures.push(`${describeSource(source)}: ${(error as Error).message}`);
        }
      }
      if (stopped) return;
      const why = `no time from ${failures.join("; ")}`;
      const now = options.wallClock();
      if (now >= PLAUSIBLE_CLOCK_MS) {
        options.onEvent("clock kept", `${why}; keeping ${new Date(now).toISOString()}`);
        resolve();
        return;
      }
      const delay = backoff.next();
      options.onEvent(
        "clock unset",
        `${why}; TLS cannot check certificate dates without it; set the sntp key to an NTP server this network reaches ` +
          `(sntp=<address>[:port], e.g. the router's if it serves NTP), or serve NTP on the hub (port 123); next attempt in ${Math.round(delay / 1000)} s`,
      );
      timer = options.host.setTimeout(() => void attempt(), delay);
    };
    void attempt();
  });
  return {
    done,
    stop() {
      stopped = true;
      if (timer !== undefined) options.host.clearTimeout(timer);
    },
  };
}

function formatOffset(ms: number): string {
  if (Math.abs(ms) < 1000) return "within a second";
  const seconds = Math.round(Math.abs(ms) / 1000);
  return `${seconds} s ${ms > 0 ? "behind" : "ahead"}`;
}
