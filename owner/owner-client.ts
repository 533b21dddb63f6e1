// An owner online: one @xmpp/client connection with the roster, the presence book, verified
// capabilities, commands as messages with receipts and ad-hoc sessions on it. The dashboard,
// the terminal controller, the demo console and the tests all work through this.

import { type Client, xml } from "@xmpp/client";
import { NS } from "../src/xmpp/namespaces.js";
import { AdHocClient } from "./adhoc.js";
import { bareOf } from "./addresses.js";
import { Capabilities } from "./capabilities.js";
import { Messages } from "./messages.js";
import { PresenceBook, preferred, type Resource } from "./presence-book.js";
import { Roster, seesPresence } from "./roster.js";

export interface OwnerClientOptions {
  /** Time limit for iqs (roster, disco, ad-hoc), and for a command's receipt unless receiptTimeoutMs says otherwise. */
  readonly timeoutMs: number;
  readonly receiptTimeoutMs?: number;
  /** Starts every message id, e.g. "ctl" or "dash". */
  readonly idPrefix: string;
  /** Whether a message typed while the connection is down waits for it (see Messages). */
  readonly holdWhileOffline: boolean;
  /** Presence priority; a negative one leaves messages to the bare JID to the owner's other clients. */
  readonly priority?: number;
  /** Problems that are not errors of any one request (an untrustworthy caps answer). */
  readonly warn?: (line: string) => void;
}

export class OwnerClient {
  readonly xmpp: Client;
  readonly roster: Roster;
  readonly presence: PresenceBook;
  readonly capabilities: Capabilities;
  readonly messages: Messages;
  readonly commands: AdHocClient;
  readonly #priority: number | undefined;
  #started = false;

  /** Attaches to `xmpp` (online or not yet started); start() once it is online. */
  constructor(xmpp: Client, options: OwnerClientOptions) {
    this.xmpp = xmpp;
    this.#priority = options.priority;
    this.roster = new Roster(xmpp, options.timeoutMs);
    this.presence = new PresenceBook(xmpp);
    this.capabilities = new Capabilities(xmpp, options.timeoutMs, options.warn ?? (() => {}));
    this.messages = new Messages(xmpp, { receiptTimeoutMs: options.receiptTimeoutMs ?? options.timeoutMs, idPrefix: options.idPrefix, holdWhileOffline: options.holdWhileOffline, presence: this.presence });
    this.commands = new AdHocClient(xmpp, options.timeoutMs);
    // A contact already in the roster that asks to see us (a device asks its owners at every login) is approved.
    this.presence.onSubscription((from, event) => {
      if (event === "subscribe" && this.roster.get(from) !== undefined) void this.approve(from).catch(() => undefined);
    });
    xmpp.on("online", () => {
      // After a reconnect: the roster may have changed meanwhile, and presence must be sent again.
      if (this.#started) void this.#announce().catch((error: Error) => options.warn?.(`after reconnecting: ${error.message}`));
    });
  }

  /** Loads the roster and sends initial presence, so that the hub sends our contacts' presence. */
  async start(): Promise<void> {
    this.#started = true;
    await this.#announce();
  }

  async #announce(): Promise<void> {
    await this.roster.load();
    await this.xmpp.send(xml("presence", {}, ...(this.#priority !== undefined ? [xml("priority", {}, String(this.#priority))] : [])));
  }

  /** A round trip to our server: what it sent before the answer (presence after start()) is in. */
  async roundTrip(timeoutMs: number): Promise<void> {
    const domain = this.xmpp.jid?.domain;
    await this.xmpp.iqCaller.get(xml("ping", { xmlns: NS.PING }), domain, timeoutMs);
  }

  /** The device's resource a command goes to: the preferred one online, else undefined. */
  resourceOf(device: string): Resource | undefined {
    return preferred(this.presence.resources(device));
  }

  /** Where to send to `device`: its preferred full JID when online, else its bare JID (the hub then bounces or stores). */
  target(device: string): string {
    return this.resourceOf(device)?.jid ?? bareOf(device);
  }

  /** Asks `jid` for its presence (a device approves its owners); answers its own request too. */
  async add(jid: string): Promise<void> {
    const bare = bareOf(jid);
    // Approving (or pre-approving, RFC 6121 §3.4) the device's request lets it see the owner online;
    // harmless, and it ends the request a device repeats at every login.
    await this.xmpp.send(xml("presence", { to: bare, type: "subscribed" }));
    this.presence.requests.delete(bare);
    if (!seesPresence(this.roster.get(bare))) await this.xmpp.send(xml("presence", { to: bare, type: "subscribe" }));
  }

  /** Lets `jid` see our presence, and asks for its own in return when we do not see it yet. */
  async approve(jid: string): Promise<void> {
    const bare = bareOf(jid);
    this.presence.requests.delete(bare);
    await this.xmpp.send(xml("presence", { to: bare, type: "subscribed" }));
    const item = this.roster.get(bare);
    if (!seesPresence(item) && item?.pending !== true) await this.xmpp.send(xml("presence", { to: bare, type: "subscribe" }));
  }

  /** Declines a subscription request. */
  async decline(jid: string): Promise<void> {
    const bare = bareOf(jid);
    this.presence.requests.delete(bare);
    await this.xmpp.send(xml("presence", { to: bare, type: "unsubscribed" }));
  }

  /** Takes `jid` out of the roster (and every subscription with it). */
  async remove(jid: string): Promise<void> {
    this.presence.requests.delete(bareOf(jid));
    await this.roster.remove(jid);
  }
}
