// The composition root shared by every runtime: connection settings -> XMPP client -> the
// device, kept online across network loss, safe when the hub has been gone too long, and
// answering only its owners, by chat and by ad-hoc commands.

import type { Opcode } from "../device/types.js";
import type { Host, TimerHandle } from "../host.js";
import { AdHocCommands } from "../xmpp/adhoc.js";
import type { Identity } from "../xmpp/disco.js";
import { Client, type ClientStatus } from "../xmpp/client.js";
import type { Jid } from "../xmpp/jid.js";
import type { IncomingMessage } from "../xmpp/messages.js";
import { subscriptionRequest } from "../xmpp/presence.js";
import { Backoff, isPermanent } from "../xmpp/reconnect.js";
import type { ConnectionConfig } from "./config.js";
import { deviceCommands } from "./device-commands.js";
import { PresencePublisher } from "./presence-publisher.js";

export type ApplianceEvent = ClientStatus | "retrying" | "error" | "message" | "command" | "refused" | "safe" | "trip";

/** The caps node (XEP-0115): names this firmware, so a controller knows a device without asking. */
export const CAPS_NODE = "https://github.com/xmpp-appliance/firmware";

/** What the appliance needs of the device it serves (src/device/device.ts is the real one). */
export interface ApplianceDevice {
  readonly name: string;
  /** The instruction set, offered as ad-hoc commands beside the text protocol. */
  readonly opcodes: readonly Opcode[];
  /** The reply to a chat message from an owner; starts with "ok" or "error:". */
  handle(text: string): Promise<string>;
  /** One line for presence. */
  summary(): string;
  /** Every output to its safe state. */
  safe(): void;
}

export interface ApplianceOptions {
  host: Host;
  config: ConnectionConfig;
  device: ApplianceDevice;
  /** Disconnected from the hub this long, the device goes safe (default 60 s). */
  graceMs?: number;
  /** Shortest time between two presence updates (default 10 s). */
  presenceIntervalMs?: number;
  identity?: Identity;
  /** One line per event: the host decides where it goes (console, trace). */
  onEvent(event: ApplianceEvent, detail: string): void;
  /**
   * Whether the network is up (the Wi-Fi link, on a board). While it is down no connect is
   * started (it could only fail, and each failure costs memory and time); `networkUp()` starts
   * the waiting one. Without it the network is taken to be always up.
   */
  networkUp?(): boolean;
}

export class Appliance {
  readonly #options: ApplianceOptions;
  readonly #client: Client;
  readonly #backoff: Backoff;
  readonly #presence: PresencePublisher;
  readonly #commands: AdHocCommands;
  #retry: TimerHandle | undefined;
  #grace: TimerHandle | undefined;
  #wake: (() => void) | undefined;
  /** A connect held back while the network is down; `networkUp()` runs it. */
  #held: (() => void) | undefined;
  #stopped = false;

  constructor(options: ApplianceOptions) {
    this.#options = options;
    const { config, host, device } = options;
    this.#backoff = new Backoff(host);
    this.#client = new Client({
      host,
      jid: config.jid,
      password: config.password,
      server: config.server,
      identity: options.identity ?? { category: "client", type: "bot", name: device.name },
      capsNode: CAPS_NODE,
      status: () => device.summary(),
      onStatus: (status, detail) => {
        options.onEvent(status, detail);
        if (status === "online") this.#online();
        if (status === "resumed") this.#resumed();
        if (status === "offline") this.#offline();
      },
      onMessage: (message) => this.#onMessage(message),
      onSubscriptionRequest: (from) => this.isOwner(from),
      onError: (error) => options.onEvent("error", error.message),
    });
    this.#commands = new AdHocCommands({
      host,
      jid: () => this.#client.jid?.toString() ?? config.jid.toString(),
      allowed: (from, what) => {
        if (this.isOwner(from)) return true;
        options.onEvent("refused", `from ${from} (not an owner): ${what}`);
        return false;
      },
    });
    for (const command of deviceCommands(device.opcodes, (text, from) => this.#runCommand(text, from))) this.#commands.add(command);
    this.#commands.register(this.#client);
    this.#presence = new PresencePublisher(host, options.presenceIntervalMs ?? 10_000, (status) => {
      if (this.#client.online) this.#client.setStatus(status);
    });
  }

  get client(): Client {
    return this.#client;
  }

  isOwner(jid: Jid): boolean {
    const bare = jid.bare.toString();
    return this.#options.config.owners.some((owner) => owner.toString() === bare);
  }

  /** The device's state changed: tell the hub (rate-limited). */
  deviceChanged(): void {
    this.#presence.update(this.#options.device.summary());
  }

  /** Sends a line to every owner (a trip, say); kept for a session being resumed, dropped while offline otherwise. */
  notifyOwners(text: string): void {
    if (!this.#client.canSend) return;
    for (const owner of this.#options.config.owners) this.#client.sendMessage(owner, text);
  }

  /** The network came back: a connect held back while it was down starts now. */
  networkUp(): void {
    const held = this.#held;
    this.#held = undefined;
    held?.();
  }

  /** Resolves at once while the network is up, else when `networkUp()` is called (or stop()). */
  #network(): Promise<void> {
    const up = this.#options.networkUp;
    if (!up || up()) return Promise.resolve();
    this.#options.onEvent("retrying", "the network (Wi-Fi) is down: connecting once it is back");
    return new Promise((resolve) => {
      this.#held = resolve;
    });
  }

  /** The first connection: resolves when online, rejects on a failure that a retry cannot fix. Transient failures are retried. */
  async start(): Promise<Jid> {
    this.#stopped = false;
    for (;;) {
      await this.#network();
      if (this.#stopped) throw new Error("stopped before the device came online");
      try {
        const jid = await this.#client.start();
        this.#backoff.reset();
        return jid;
      } catch (error) {
        if (isPermanent(error) || this.#stopped) throw error;
        const delay = this.#backoff.next();
        this.#options.onEvent("retrying", `${(error as Error).message}; next attempt in ${Math.round(delay / 100) / 10} s`);
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#retry = this.#options.host.setTimeout(resolve, delay);
        });
        this.#wake = undefined;
        if (this.#stopped) throw new Error("stopped before the device came online");
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    const host = this.#options.host;
    if (this.#retry !== undefined) host.clearTimeout(this.#retry);
    if (this.#grace !== undefined) host.clearTimeout(this.#grace);
    this.#retry = this.#grace = undefined;
    this.#presence.cancel();
    this.#commands.clear();
    this.#wake?.();
    this.networkUp();
    this.#client.stop();
  }

  async #onMessage(message: IncomingMessage): Promise<void> {
    const { device, onEvent } = this.#options;
    let reply: string;
    if (this.isOwner(message.from)) {
      onEvent("message", `from ${message.from}: ${message.body}`);
      reply = await device.handle(message.body);
      this.deviceChanged();
    } else {
      onEvent("refused", `from ${message.from} (not an owner): ${message.body}`);
      reply = `error: ${message.from.bare} is not an owner of this ${device.name}; nothing was changed`;
    }
    this.#client.sendMessage(message.from, reply, message.thread);
  }

  /** An owner's ad-hoc command, as its text: the device checks and runs it as it would a chat message. */
  async #runCommand(text: string, from: Jid): Promise<string> {
    this.#options.onEvent("command", `from ${from}: ${text}`);
    const reply = await this.#options.device.handle(text);
    this.deviceChanged();
    return reply;
  }

  #online(): void {
    const host = this.#options.host;
    if (this.#grace !== undefined) host.clearTimeout(this.#grace);
    this.#grace = undefined;
    // Asking the owners puts the device in their rosters; they approve or not in their clients.
    for (const owner of this.#options.config.owners) this.#client.send(subscriptionRequest(owner.toString()));
    this.#presence.reset(this.#options.device.summary());
  }

  /** The session was resumed: subscriptions and presence are as they were, only the grace timer stops. */
  #resumed(): void {
    if (this.#grace !== undefined) this.#options.host.clearTimeout(this.#grace);
    this.#grace = undefined;
  }

  #offline(): void {
    const { host, graceMs = 60_000, device, onEvent } = this.#options;
    if (this.#grace === undefined && !this.#stopped) {
      this.#grace = host.setTimeout(() => {
        this.#grace = undefined;
        device.safe();
        onEvent("safe", `disconnected from the hub for more than ${Math.round(graceMs / 1000)} s: every output is in its safe state`);
      }, graceMs);
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const delay = this.#backoff.next();
    this.#options.onEvent("retrying", `next attempt in ${Math.round(delay / 100) / 10} s`);
    this.#retry = this.#options.host.setTimeout(async () => {
      this.#retry = undefined;
      await this.#network();
      if (this.#stopped) return;
      this.#client.start().then(
        () => this.#backoff.reset(),
        (error: unknown) => {
          this.#options.onEvent("error", (error as Error).message);
          this.#scheduleRetry();
        },
      );
    }, delay);
  }
}
