// The composition root shared by every runtime: connection settings -> XMPP client -> the
// device, kept online across network loss, safe when the hub has been gone too long, and
// answering only its owners, by chat and by ad-hoc commands.

import type { Opcode } from "../device/types.js";
import type { Host, TimerHandle } from "../host.js";
import { AdHocCommands, type AdHocCommand } from "../xmpp/adhoc.js";
import type { Identity } from "../xmpp/disco.js";
import { Client, type ClientStatus } from "../xmpp/client.js";
import type { Jid } from "../xmpp/jid.js";
import { dateTimeText, delayStamp } from "../xmpp/delay.js";
import { deviceMessage, fromDevice, type IncomingMessage } from "../xmpp/messages.js";
import { subscriptionRequest } from "../xmpp/presence.js";
import { Backoff, isPermanent } from "../xmpp/reconnect.js";
import { softwareVersion, VERSION_NS } from "../xmpp/version.js";
import type { ConnectionConfig } from "./config.js";
import { CommandQueues } from "./command-queues.js";
import type { DeclarationChange } from "./declared-device.js";
import { declarationCommand, deviceCommands, instructionSetFeature, DECLARATION_NODE, STATUS_NODE } from "./device-commands.js";
import { PresencePublisher } from "./presence-publisher.js";
import { RecentCommands } from "./recent-commands.js";
import { RefusalLimit } from "./refusal-limit.js";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "./version.js";
import { PLAUSIBLE_CLOCK_MS } from "./sntp.js";

export type ApplianceEvent = ClientStatus | "retrying" | "error" | "message" | "command" | "refused" | "safe" | "trip" | "duplicate" | "stale" | "busy" | "ignored" | "declaration" | "roster";

/** The caps node (XEP-0115): names this firmware, so a controller knows a device without asking. */
export const CAPS_NODE = "https://github.com/xmpp-appliance/firmware";
/** Shortest time between two presence updates unless `presenceIntervalMs` says otherwise. */
export const DEFAULT_PRESENCE_INTERVAL_MS = 10_000;

/** What the appliance needs of the device it serves (src/device/device.ts is the real one). */
export interface ApplianceDevice {
  readonly name: string;
  /** The instruction set, offered as ad-hoc commands beside the text protocol. */
  readonly opcodes: readonly Opcode[];
  /** The reply to a chat message from an owner; starts with "ok" or "error:". */
  handle(text: string): Promise<string>;
  /** One line for presence; time left counted from `at` (host time, now by default). */
  summary(at?: number): string;
  /** Every output to its safe state. */
  safe(): void;
}

export interface ApplianceOptions {
  host: Host;
  config: ConnectionConfig;
  device: ApplianceDevice;
  /** Disconnected from the hub this long, the device goes safe (default 60 s). */
  graceMs?: number;
  /** Shortest time between two presence updates (default DEFAULT_PRESENCE_INTERVAL_MS, 10 s). */
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
  /** The wall clock, Unix ms, to tell a delayed command's age (default `Date.now`; SNTP sets it on a board). */
  wallClock?(): number;
  /** Most commands of one owner waiting to be carried out; more get a "busy" reply (default 32). */
  queueLimit?: number;
  /**
   * Replaces the device's declaration with the JSON text an owner sent (DeclaredDevice.change):
   * with it, owners can send one by the ad-hoc command `declaration` or the chat line `declare {...}`.
   */
  changeDeclaration?(text: string): DeclarationChange;
  /** More owner-only ad-hoc commands of the runtime's (settings), listed after the device's. */
  commands?: readonly AdHocCommand[];
  /** The version running, for XEP-0092 (default FIRMWARE_VERSION; the desktop's booted image may say otherwise). */
  version?: string;
  /** What the runtime is, for XEP-0092's `os` ("esp32", "simulator", "Node.js 20.11.0"). */
  runtime?: string;
}

/** The chat form of a declaration change: `declare` then the JSON, on one line or several. */
const DECLARE = () => /^declare(?:\s+([\s\S]*))?$/i;

export class Appliance {
  readonly #options: ApplianceOptions;
  readonly #client: Client;
  readonly #backoff: Backoff;
  readonly #presence: PresencePublisher;
  readonly #commands: AdHocCommands;
  /** The ad-hoc command that changes the declaration, when the runtime allows it. */
  readonly #declaration: AdHocCommand | undefined;
  /** The disco#info feature naming the instruction set in force (instructionSetFeature). */
  #instructionSet: string;
  #retry: TimerHandle | undefined;
  #grace: TimerHandle | undefined;
  #wake: (() => void) | undefined;
  /** A connect held back while the network is down; `networkUp()` runs it. */
  #held: (() => void) | undefined;
  #stopped = false;
  readonly #recent: RecentCommands;
  /** The device's own bare JID as text: a message from it (a loop through the hub) is never answered. */
  readonly #ownBare: string;
  readonly #refusals: RefusalLimit;
  readonly #queues: CommandQueues;
  /**
   * Wall time the device was put in its safe state during the outage under way: by the grace
   * timer, or at start (a device starts safe; what was sent to it while it was off waited too).
   */
  #safeAt: { at: number; how: string } | undefined;
  /**
   * Set when the device comes back from an outage in which it went safe: a command stamped before
   * `until` was held for the device across that outage and is not carried out.
   */
  #safeOutage: { safeAt: { at: number; how: string }; until: number } | undefined;

  constructor(options: ApplianceOptions) {
    this.#options = options;
    const { config, host, device } = options;
    this.#backoff = new Backoff(host);
    this.#recent = new RecentCommands(host);
    this.#ownBare = config.jid.bare.toString();
    this.#refusals = new RefusalLimit(host);
    this.#queues = new CommandQueues(options.queueLimit);
    this.#safeAt = { at: this.#wallClock(), how: "the device started, in its safe state," };
    this.#client = new Client({
      host,
      jid: config.jid,
      password: config.password,
      server: config.server,
      deadLinkMs: config.deadLinkMs,
      // The name is read at each disco#info and caps ver: a new declaration may rename the device.
      identity: options.identity ?? { category: "client", type: "bot", get name() { return device.name; } },
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
      onRoster: () => this.#askOwners(),
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
    this.#declaration = options.changeDeclaration ? declarationCommand(async (text, from) => this.#declare(text, from)) : undefined;
    this.#addDeviceCommands();
    this.#commands.register(this.#client);
    this.#client.handleIq("query", VERSION_NS, softwareVersion({ name: FIRMWARE_NAME, version: options.version ?? FIRMWARE_VERSION, os: options.runtime }, (from) => this.isOwner(from)));
    this.#instructionSet = instructionSetFeature(host, CAPS_NODE, device.opcodes);
    this.#client.addFeature(this.#instructionSet);
    this.#presence = new PresencePublisher(host, options.presenceIntervalMs ?? DEFAULT_PRESENCE_INTERVAL_MS, (at) => device.summary(at), (status) => {
      if (this.#client.online) this.#client.setStatus(status);
    });
  }

  get client(): Client {
    return this.#client;
  }

  isOwner(jid: Jid): boolean {
    return this.#isOwnerText(jid.bare.toString());
  }

  /** `bare`, a bare JID as text, is one of the owners'. */
  #isOwnerText(bare: string): boolean {
    for (const owner of this.#options.config.owners) if (owner.toString() === bare) return true;
    return false;
  }

  /** The device's state changed: tell the hub (rate-limited). */
  deviceChanged(): void {
    this.#presence.changed();
  }

  /**
   * Sends a line to every owner (a trip, say), marked as a device's message so that an owner that is
   * itself a device does not answer it; kept for a session being resumed, dropped while offline otherwise.
   */
  notifyOwners(text: string): void {
    if (!this.#client.canSend) return;
    for (const owner of this.#options.config.owners) this.#reply(owner.toString(), text);
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

  /**
   * A chat message: checked in this order, so that nothing is answered in a loop, carried out
   * twice or carried out late. A device's own messages are never answered (nor another device's:
   * no reply loop). A non-owner is refused, at most once a minute. An owner's repeat of a command
   * (same id and text) gets the first reply again; a stale one is refused with when it was sent
   * (the repeat check comes first: a resend gets a delay stamp on the way and must not be called
   * stale); the rest wait their turn in the owner's queue, or are refused as busy when it is full.
   */
  async #onMessage(message: IncomingMessage): Promise<void> {
    const { device, onEvent } = this.#options;
    const from = message.from;
    const bare = from.bare.toString();
    if (fromDevice(message) || bare === this.#ownBare) {
      onEvent("ignored", `from ${from} (a device's message, never answered): ${message.body}`);
      return;
    }
    if (!this.#isOwnerText(bare)) {
      const answer = this.#refusals.allow(bare);
      onEvent("refused", `from ${from} (not an owner${answer ? "" : "; not answered: refused less than a minute ago"}): ${message.body}`);
      if (answer) this.#reply(from.toString(), `error: ${bare} is not an owner of this ${device.name}; nothing was changed`, message.thread);
      return;
    }
    // Without an id a repeat cannot be told from a new command: such a command is not remembered.
    const id = message.id === "" ? undefined : message.id;
    const earlier = id === undefined ? undefined : this.#recent.reply(bare, id, message.body);
    if (earlier) {
      onEvent("duplicate", `from ${from}: ${message.body} (id ${message.id}): carried out once already, its reply sent again`);
      this.#reply(from.toString(), await earlier, message.thread);
      return;
    }
    const stale = this.#staleness(message);
    let reply: Promise<string> | undefined;
    if (stale !== undefined) {
      onEvent("stale", `from ${from}: ${message.body}: ${stale}`);
      reply = Promise.resolve(`error: refused as stale, nothing was changed: ${stale}; send it again if you still want it`);
    } else {
      reply = this.#queues.run(bare, async () => {
        const declaration = this.#options.changeDeclaration ? DECLARE().exec(message.body) : null;
        if (declaration) return this.#declare(declaration[1] ?? "", from);
        onEvent("message", `from ${from}: ${message.body}`);
        const text = await device.handle(message.body);
        this.deviceChanged();
        return text;
      });
      if (!reply) {
        const limit = this.#queues.limit;
        onEvent("busy", `from ${from}: ${message.body}: ${limit} commands of this owner are waiting`);
        // Not remembered: sent again later, it is a new attempt.
        this.#reply(from.toString(), `error: busy: ${limit} of your commands are waiting to be carried out; this one was not, send it again once they are answered`, message.thread);
        return;
      }
    }
    if (id !== undefined) this.#recent.remember(bare, id, message.body, reply);
    this.#reply(from.toString(), await reply, message.thread);
  }

  #reply(to: string, text: string, thread?: string): void {
    this.#client.send(deviceMessage(to, text, this.#client.nextId(), thread));
  }

  #wallClock(): number {
    return this.#options.wallClock ? this.#options.wallClock() : Date.now();
  }

  /** Why a command is too old to carry out, or undefined when it is not (it carries no delay stamp, or a recent one). */
  #staleness(message: IncomingMessage): string | undefined {
    const { sentAt, unreadable } = delayStamp(message.stanza);
    if (sentAt === undefined) return unreadable === undefined ? undefined : `it was delayed on its way and its delay stamp "${unreadable}" cannot be read, so its age is unknown`;
    const sent = `sent at ${dateTimeText(sentAt)}`;
    const now = this.#wallClock();
    if (now < PLAUSIBLE_CLOCK_MS) return `${sent}, delayed on its way, and the device's clock is not set (SNTP), so its age cannot be checked`;
    const outage = this.#safeOutage;
    if (outage !== undefined && sentAt < outage.until) {
      return `${sent}, held for the device while it was offline, and ${outage.safeAt.how} at ${dateTimeText(outage.safeAt.at)}`;
    }
    const maxAgeMs = this.#options.config.maxCommandAgeMs;
    const ageS = Math.round((now - sentAt) / 1000);
    if (now - sentAt > maxAgeMs) return `${sent}, ${ageS} s ago, more than max_command_age_s (${maxAgeMs / 1000} s)`;
    return undefined;
  }

  /** An owner's ad-hoc command, as its text: the device checks and runs it as it would a chat message. */
  async #runCommand(text: string, from: Jid): Promise<string> {
    this.#options.onEvent("command", `from ${from}: ${text}`);
    const reply = await this.#options.device.handle(text);
    this.deviceChanged();
    return reply;
  }

  /** The ad-hoc commands of the instruction set in force, status and the declaration change, in the order they are listed. */
  #addDeviceCommands(): void {
    for (const command of deviceCommands(this.#options.device.opcodes, (text, from) => this.#runCommand(text, from))) this.#commands.add(command);
    if (this.#declaration) this.#commands.add(this.#declaration);
    for (const command of this.#options.commands ?? []) this.#commands.add(command);
  }

  /**
   * An owner's new declaration (by chat or ad-hoc): on success the opcode commands are replaced,
   * the caps ver changes with the instruction-set feature and presence says what happened, so
   * controllers fetch the new forms. The JSON is not logged: its size is enough to tell it apart.
   */
  #declare(text: string, from: Jid): string {
    const { device, host, onEvent } = this.#options;
    const before = device.opcodes;
    const { changed, reply } = this.#options.changeDeclaration!(text);
    onEvent("declaration", `from ${from}: ${text.length} characters: ${reply}`);
    if (!changed) return reply;
    const nodes = [...before.map((opcode) => opcode.opcode), STATUS_NODE, DECLARATION_NODE, ...(this.#options.commands ?? []).map((command) => command.node)];
    for (const node of nodes) this.#commands.remove(node);
    this.#addDeviceCommands();
    this.#client.removeFeature(this.#instructionSet);
    this.#instructionSet = instructionSetFeature(host, CAPS_NODE, device.opcodes);
    this.#client.addFeature(this.#instructionSet);
    const status = `new instruction set: ${device.name}, ${device.opcodes.length} commands`;
    if (this.#client.online) {
      this.#client.setStatus(status);
      this.#presence.reset(status);
    }
    this.deviceChanged();
    return reply;
  }

  #online(): void {
    const host = this.#options.host;
    if (this.#grace !== undefined) host.clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#endOutage();
    this.#presence.reset(this.#options.device.summary());
  }

  /**
   * A fresh session's roster is read (a round trip after "online"; or not known, when the server
   * would not give it). Asking the owners puts the device in their rosters; they approve or not
   * in their clients. Only those the roster shows neither subscribed nor asked: each repeated
   * request costs the hub a roster push and a routed stanza per owner at every login, for nothing.
   * One "roster" line says what was read and who was asked (the session is resumable from then
   * on, when the server offered stream management: its <enabled/> came before the roster).
   */
  #askOwners(): void {
    const roster = this.#client.roster;
    const asked: string[] = [];
    for (const owner of this.#options.config.owners) {
      if (!roster.needsSubscription(owner.toString())) continue;
      this.#client.send(subscriptionRequest(owner.toString()));
      asked.push(owner.toString());
    }
    const read = roster.known ? `${roster.items.length} contact${roster.items.length === 1 ? "" : "s"}` : "not known";
    this.#options.onEvent("roster", `${read}; ${asked.length === 0 ? "no owner to ask" : `asked ${asked.join(", ")}`} for a subscription`);
  }

  /** The session was resumed: subscriptions and presence are as they were, only the grace timer stops. */
  #resumed(): void {
    if (this.#grace !== undefined) this.#options.host.clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#endOutage();
  }

  /** Back online: what was held for the device while it was offline arrives now; before the safe state, it is stale. */
  #endOutage(): void {
    const safeAt = this.#safeAt;
    this.#safeAt = undefined;
    this.#safeOutage = safeAt === undefined ? undefined : { safeAt, until: this.#wallClock() };
  }

  #offline(): void {
    const { host, graceMs = 60_000, device, onEvent } = this.#options;
    if (this.#grace === undefined && !this.#stopped) {
      this.#grace = host.setTimeout(() => {
        this.#grace = undefined;
        this.#safeAt = { at: this.#wallClock(), how: "the device went to its safe state" };
        device.safe();
        onEvent("safe", `disconnected from the hub for more than ${Math.round(graceMs / 1000)} s: every output is in its safe state`);
      }, graceMs);
    }
    // The stream was online: the first reconnect starts at once (jittered), later ones back off.
    this.#scheduleRetry(this.#backoff.afterLoss(host.now()));
  }

  #scheduleRetry(delay = this.#backoff.next()): void {
    if (this.#stopped) return;
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
