// Commands to devices as chat messages: each goes out with a receipt request (XEP-0184) and a
// thread of its own. The device answers in the thread it was asked in, so its reply is matched
// by thread and its receipt by message id, even when it answers out of order; a bounce (a
// message error with our id) or the device going offline settles the message at once. While
// the connection is down nothing typed is lost: a message waits and goes out when it is back,
// or is reported as not sent.

import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";
import { bareOf, canonical, isFull } from "./addresses.js";
import type { PresenceBook } from "./presence-book.js";

export type MessageState = "waiting" | "sent" | "done" | "failed";

export interface Outgoing {
  readonly id: string;
  readonly thread: string;
  /** The full (or bare) JID it goes to. */
  readonly to: string;
  /** The device's bare JID. */
  readonly device: string;
  readonly text: string;
  /** What the caller tagged it with (which view sent it). */
  readonly tag: string;
  readonly createdAt: Date;
  /** When it went out on the stream; undefined while it waits for the connection. */
  sentAt: Date | undefined;
  reply: string | undefined;
  /** The receipt came: the device carried it out (or refused it). */
  received: boolean;
  /** Why it did not complete (not sent, bounced, device offline, no receipt in time). */
  failed: string | undefined;
  /** Whether it reached the device at all: false when it was never sent or bounced. */
  delivered: boolean | undefined;
  state: MessageState;
  /** Settles once state is done or failed. */
  readonly settled: Promise<Outgoing>;
}

export interface Incoming {
  /** The sender's full JID. */
  readonly from: string;
  readonly device: string;
  readonly text: string;
  readonly at: Date;
  /** The message of ours it answers (by thread), when there is one. */
  readonly answers: Outgoing | undefined;
}

export interface MessagesListener {
  /** A message was created, sent, answered, acknowledged or failed. */
  updated?(message: Outgoing): void;
  /** A chat message with a body came from someone (replies included). */
  incoming?(message: Incoming): void;
}

export interface MessagesOptions {
  /** How long after sending a message counts as lost without its receipt. */
  readonly receiptTimeoutMs: number;
  /** Starts every id and thread, e.g. "ctl"; the rest is random. */
  readonly idPrefix: string;
  /**
   * true: a message typed while the connection is down waits and goes out when it is back (the
   * client reconnects by itself); false: it fails at once as not sent.
   */
  readonly holdWhileOffline: boolean;
  /** Where the device's going offline is seen; without it only the receipt timeout tells. */
  readonly presence?: PresenceBook;
}

const THREADS_KEPT = 500;

interface Tracked {
  readonly message: Outgoing;
  readonly settle: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The words of a message error: the condition and the hub's text. */
export function errorText(stanza: Element): string {
  const error = stanza.getChild("error");
  const condition = error?.getChildElements().find((child) => child.attrs.xmlns === NS.STANZAS && child.name !== "text")?.name ?? "unknown error";
  const text = error?.getChildText("text", NS.STANZAS);
  const meaning = condition === "service-unavailable" || condition === "recipient-unavailable" || condition === "item-not-found"
    ? `${condition}: the device is offline or does not exist`
    : condition;
  return text ? `${meaning} (${text})` : meaning;
}

function randomPart(): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export class Messages {
  readonly #xmpp: Client;
  readonly #options: MessagesOptions;
  readonly #byId = new Map<string, Tracked>();
  readonly #byThread = new Map<string, Tracked>();
  readonly #listeners = new Set<MessagesListener>();

  constructor(xmpp: Client, options: MessagesOptions) {
    this.#xmpp = xmpp;
    this.#options = options;
    xmpp.on("stanza", (stanza: Element) => {
      if (stanza.is("message")) this.#onMessage(stanza);
    });
    xmpp.on("online", () => this.#flush());
    // Without stream management a stanza sent before a drop may or may not have arrived.
    xmpp.on("disconnect", () => this.#connectionLost());
    options.presence?.onOffline((fullJid) => this.#deviceOffline(fullJid));
  }

  listen(listener: MessagesListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Messages not settled yet, oldest first. */
  get unsettled(): Outgoing[] {
    return [...this.#byId.values()].map((tracked) => tracked.message);
  }

  /** Sends `text` to `to` (a device's full JID when it is online, else its bare JID). */
  send(to: string, text: string, tag = ""): Outgoing {
    const id = `${this.#options.idPrefix}-${randomPart()}`;
    let settle!: () => void;
    const settled = new Promise<Outgoing>((resolve) => (settle = () => resolve(message)));
    const message: Outgoing = {
      id, thread: id, to: canonical(to), device: bareOf(to), text, tag, createdAt: new Date(),
      sentAt: undefined, reply: undefined, received: false, failed: undefined, delivered: undefined, state: "waiting", settled,
    };
    const tracked: Tracked = { message, settle, timer: undefined };
    this.#byId.set(id, tracked);
    this.#byThread.set(id, tracked);
    // Threads are kept past settling for late replies, but not for ever.
    if (this.#byThread.size > THREADS_KEPT) this.#byThread.delete(this.#byThread.keys().next().value!);
    this.#changed(message);
    if (this.#xmpp.status === "online") this.#transmit(tracked);
    else if (!this.#options.holdWhileOffline) this.#fail(tracked, "not sent: the connection to the hub is down", false);
    return message;
  }

  /** Reports every message still waiting to go out as not sent (the owner is leaving). */
  abandon(reason: string): void {
    for (const tracked of [...this.#byId.values()]) {
      if (tracked.message.state === "waiting") this.#fail(tracked, `not sent: ${reason}`, false);
    }
  }

  #transmit(tracked: Tracked): void {
    const { message } = tracked;
    message.sentAt = new Date();
    message.state = "sent";
    const { receiptTimeoutMs } = this.#options;
    tracked.timer = setTimeout(() => this.#fail(tracked, `no receipt from ${message.to} within ${receiptTimeoutMs / 1000} s`, undefined), receiptTimeoutMs);
    this.#xmpp
      .send(xml("message", { type: "chat", to: message.to, id: message.id }, xml("body", {}, message.text), xml("thread", {}, message.thread), xml("request", { xmlns: NS.RECEIPTS })))
      .then(() => this.#changed(message), (error: Error) => {
        clearTimeout(tracked.timer);
        if (this.#options.holdWhileOffline && message.state === "sent") {
          // The stream went away under us: it goes out again once the client is back online.
          message.sentAt = undefined;
          message.state = "waiting";
          this.#changed(message);
        } else {
          this.#fail(tracked, `not sent: ${error.message}`, false);
        }
      });
  }

  #flush(): void {
    for (const tracked of [...this.#byId.values()]) if (tracked.message.state === "waiting") this.#transmit(tracked);
  }

  #onMessage(stanza: Element): void {
    const from = stanza.attrs.from as string | undefined;
    if (from === undefined) return;
    if (stanza.attrs.type === "error") {
      const tracked = this.#byId.get(String(stanza.attrs.id ?? ""));
      if (tracked !== undefined) this.#fail(tracked, `not delivered to ${tracked.message.to}: ${errorText(stanza)}`, false);
      return;
    }
    const body = stanza.getChildText("body");
    const thread = stanza.getChildText("thread");
    const sender = canonical(from);
    const answering = thread === null ? undefined : this.#byThread.get(thread);
    const answers = answering !== undefined && this.#fromTarget(answering.message, sender) ? answering : undefined;
    if (body !== null) {
      if (answers !== undefined && answers.message.reply === undefined) {
        answers.message.reply = body;
        this.#check(answers);
      }
      const incoming: Incoming = { from: sender, device: bareOf(sender), text: body, at: new Date(), answers: answers?.message };
      for (const listener of this.#listeners) listener.incoming?.(incoming);
    }
    const receipt = stanza.getChild("received", NS.RECEIPTS)?.attrs.id;
    const acknowledged = receipt === undefined ? undefined : this.#byId.get(String(receipt));
    if (acknowledged !== undefined && this.#fromTarget(acknowledged.message, sender)) {
      acknowledged.message.received = true;
      this.#check(acknowledged);
    }
  }

  /** A message to a bare JID may be answered by any of its resources; to a full JID only by that one. */
  #fromTarget(message: Outgoing, sender: string): boolean {
    return isFull(message.to) ? sender === message.to : bareOf(sender) === message.device;
  }

  #check(tracked: Tracked): void {
    const { message } = tracked;
    if (message.state === "failed") return this.#changed(message); // a late answer, shown but not settling it again
    if (message.reply !== undefined && message.received) {
      message.state = "done";
      message.delivered = true;
      this.#end(tracked);
    } else {
      this.#changed(message);
    }
  }

  #deviceOffline(fullJid: string): void {
    for (const tracked of [...this.#byId.values()]) {
      const { message } = tracked;
      if (message.state !== "sent") continue;
      const gone = isFull(message.to) ? message.to === fullJid : message.device === bareOf(fullJid) && this.#options.presence?.isOnline(message.device) !== true;
      if (gone) this.#fail(tracked, `${fullJid} went offline before it ${message.reply === undefined ? "answered" : "acknowledged"}`, message.received || message.reply !== undefined ? true : undefined);
    }
  }

  #connectionLost(): void {
    for (const tracked of [...this.#byId.values()]) {
      if (tracked.message.state !== "sent") continue;
      this.#fail(tracked, "the connection to the hub dropped before the device answered: it may or may not have carried it out; check with status", undefined);
    }
  }

  #fail(tracked: Tracked, reason: string, delivered: boolean | undefined): void {
    const { message } = tracked;
    if (message.state === "done" || message.state === "failed") return;
    message.failed = reason;
    message.delivered = delivered;
    message.state = "failed";
    this.#end(tracked);
  }

  #end(tracked: Tracked): void {
    clearTimeout(tracked.timer);
    this.#byId.delete(tracked.message.id);
    // The thread stays known for a late reply, which is still shown as the answer.
    this.#changed(tracked.message);
    tracked.settle();
  }

  #changed(message: Outgoing): void {
    for (const listener of this.#listeners) listener.updated?.(message);
  }
}
