// Many appliances in one Node process: each is the same Appliance, device and simulated pins a
// single desktop device runs (src/app, hosts/sim), with its own account and stream; they share
// one Host (timers, crypto, the CA's TLS context), which holds no per-connection state.
import { Appliance, type ApplianceEvent } from "../../../src/app/appliance.js";
import { createApplianceDevice } from "../../../src/app/appliance-device.js";
import { readConnectionConfig, type FlatConfig } from "../../../src/app/config.js";
import type { DeviceDeclaration } from "../../../src/device/types.js";
import type { Host } from "../../../src/host.js";
import { createSimulatedPins, type SimulatedPins } from "../../sim/pins.js";

export interface FleetAccount {
  readonly user: string;
  readonly password: string;
}

export interface FleetOptions {
  readonly host: Host;
  readonly declaration: DeviceDeclaration;
  /** The manifest's config with the command line's overrides; jid, password, server and ca are set per member. */
  readonly config: FlatConfig;
  readonly domain: string;
  readonly server: string;
  readonly ca: string;
  readonly owner: string;
  readonly accounts: readonly FleetAccount[];
  /** Logins started per second, at most. */
  readonly rate: number;
  /** Logins under way at once, at most: past what the process and hub can finish, more only
   * make each one slower until their steps time out and they all start again. */
  readonly inFlight: number;
  /** A member's event worth a line: a failure, a trip, a reconnection. */
  onEvent(user: string, event: ApplianceEvent | "failed", detail: string): void;
}

export type MemberState = "waiting" | "connecting" | "online" | "offline" | "failed";

interface Member {
  readonly user: string;
  readonly appliance: Appliance;
  readonly close: () => void;
  state: MemberState;
}

// Events of a healthy member that would flood the terminal with thousands of members.
// The fleet command prints how many are in each state instead.
const QUIET: ReadonlySet<string> = new Set(["connecting", "connected", "secure", "authenticated", "bound", "online", "offline", "message", "command", "retrying", "roster"]);

export class Fleet {
  readonly #options: FleetOptions;
  readonly #members: Member[] = [];
  #stopped = false;
  #firstOnline = 0;
  #lastOnline = 0;
  #startedAt = 0;
  #connecting = 0;
  #slotFree: ((value?: unknown) => void) | undefined;

  /** Builds every member (checking each one's settings) before any of them connects. */
  constructor(options: FleetOptions) {
    this.#options = options;
    const { host, declaration } = options;
    for (const { user, password } of options.accounts) {
      const config = readConnectionConfig({
        ...options.config,
        jid: `${user}@${options.domain}/appliance`,
        xmpp_password: password,
        server: options.server,
        ca: options.ca,
        owner: options.config.owner ?? options.owner,
      });
      let pins: SimulatedPins | undefined = createSimulatedPins({ drivers: declaration.drivers, sensors: declaration.sensors, host, log: () => {} });
      const { device, attach } = createApplianceDevice(declaration, { host, pins }, (event, detail) => options.onEvent(user, event as ApplianceEvent, detail));
      const member: Member = {
        user,
        state: "waiting",
        appliance: new Appliance({
          host, config, device, graceMs: declaration.graceMs,
          onEvent: (event, detail) => this.#onEvent(member, event, detail),
        }),
        close: () => {
          device.close();
          pins?.close();
          pins = undefined;
        },
      };
      attach(member.appliance);
      this.#members.push(member);
    }
  }

  get size(): number {
    return this.#members.length;
  }

  /** How many members are in each state now. */
  counts(): Record<MemberState, number> {
    const counts: Record<MemberState, number> = { waiting: 0, connecting: 0, online: 0, offline: 0, failed: 0 };
    for (const member of this.#members) counts[member.state]++;
    return counts;
  }

  /** Seconds from the first login started to the last member online, and logins per second over it. */
  loginRate(): { seconds: number; perSecond: number } {
    const seconds = Math.max(0.001, (this.#lastOnline - this.#startedAt) / 1000);
    return { seconds, perSecond: this.counts().online / seconds };
  }

  /** Starts the members' logins at the fleet's rate; resolves when each is online or has failed
   * for good (a failure is reported by name and the others carry on). */
  async start(): Promise<void> {
    const { rate } = this.#options;
    this.#startedAt = performance.now();
    const logins: Promise<void>[] = [];
    for (let index = 0; index < this.#members.length && !this.#stopped; index++) {
      const due = this.#startedAt + (index * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (this.#connecting >= this.#options.inFlight && !this.#stopped) await new Promise((resolve) => (this.#slotFree = resolve));
      if (this.#stopped) break;
      const member = this.#members[index]!;
      member.state = "connecting";
      this.#connecting++;
      const settled = () => {
        this.#connecting--;
        this.#slotFree?.();
        this.#slotFree = undefined;
      };
      logins.push(member.appliance.start().then(
        settled,
        (error: unknown) => {
          settled();
          if (this.#stopped) return;
          member.state = "failed";
          member.close();
          this.#options.onEvent(member.user, "failed", (error as Error).message);
        },
      ));
    }
    await Promise.all(logins);
  }

  stop(): void {
    this.#stopped = true;
    this.#slotFree?.();
    for (const member of this.#members) {
      member.appliance.stop();
      member.close();
    }
  }

  #onEvent(member: Member, event: ApplianceEvent, detail: string): void {
    if (event === "online") {
      member.state = "online";
      this.#lastOnline = performance.now();
      if (this.#firstOnline === 0) this.#firstOnline = this.#lastOnline;
    } else if (event === "offline" && !this.#stopped) {
      member.state = "offline";
    }
    if (!QUIET.has(event)) this.#options.onEvent(member.user, event, detail);
  }
}
