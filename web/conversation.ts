// Chat with devices: each message goes out with a receipt request (XEP-0184); a device answers
// every message in order with one reply and then the receipt, so a reply belongs to the oldest
// message still waiting for one, and the receipt confirms that the device acted on it.

import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";

const NS_RECEIPTS = "urn:xmpp:receipts";
/** A message with no receipt by then counts as lost, so later replies are not taken for its. */
const RECEIPT_TIMEOUT_MS = 30_000;

/** Who sent it: the chat view, a command form, the state panel's refresh, or the dashboard reading `help`. */
export type Origin = "chat" | "command" | "status" | "help";

export interface Outgoing {
  readonly id: string;
  /** The device's bare JID. */
  readonly device: string;
  readonly text: string;
  readonly origin: Origin;
  readonly sentAt: Date;
  reply?: string;
  /** The receipt came: the device carried it out (or refused it). */
  received: boolean;
  /** Why it was not delivered (an error message from the hub). */
  failed?: string;
}

export interface Incoming {
  readonly device: string;
  readonly text: string;
  readonly at: Date;
  /** The message it answers, when there is one waiting. */
  readonly answers?: Outgoing;
}

export interface ConversationListener {
  /** A message was sent, or its reply, receipt or failure came. */
  updated?(message: Outgoing): void;
  /** A chat message came from a device (replies included). */
  incoming?(message: Incoming): void;
}

function bareOf(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

/** The text of a message error: the condition and the hub's words. */
function errorText(stanza: Element): string {
  const error = stanza.getChild("error");
  const condition = error?.getChildElements().find((child) => child.name !== "text")?.name ?? "error";
  const text = error?.getChildText("text");
  const meaning = condition === "service-unavailable" || condition === "recipient-unavailable" ? "the device is offline" : condition;
  return text ? `${meaning}: ${text}` : meaning;
}

export class Conversation {
  readonly #client: Client;
  readonly #waiting = new Map<string, Outgoing>();
  readonly #listeners = new Set<ConversationListener>();
  #counter = 0;

  constructor(client: Client) {
    this.#client = client;
    client.on("stanza", (stanza: Element) => {
      if (stanza.is("message")) this.#onMessage(stanza);
    });
  }

  listen(listener: ConversationListener): void {
    this.#listeners.add(listener);
  }

  /** Sends `text` to `to` (a full JID when the device is online, else its bare JID). */
  async send(to: string, text: string, origin: Origin): Promise<Outgoing> {
    const id = `dash-${Date.now().toString(36)}-${++this.#counter}`;
    const message: Outgoing = { id, device: bareOf(to), text, origin, sentAt: new Date(), received: false };
    this.#waiting.set(id, message);
    this.#emit((listener) => listener.updated?.(message));
    setTimeout(() => {
      if (this.#waiting.get(id) === message) this.#fail(message, `no receipt within ${RECEIPT_TIMEOUT_MS / 1000} s: is the device online?`);
    }, RECEIPT_TIMEOUT_MS);
    try {
      await this.#client.send(xml("message", { type: "chat", to, id }, xml("body", {}, text), xml("request", { xmlns: NS_RECEIPTS })));
    } catch (error) {
      this.#fail(message, `not sent: ${(error as Error).message}`);
    }
    return message;
  }

  #onMessage(stanza: Element): void {
    const from = stanza.attrs.from;
    if (from === undefined) return;
    const device = bareOf(from);
    if (stanza.attrs.type === "error") {
      const message = this.#waiting.get(stanza.attrs.id ?? "");
      if (message !== undefined) this.#fail(message, errorText(stanza));
      return;
    }
    const body = stanza.getChildText("body");
    if (body !== null) {
      const answers = [...this.#waiting.values()].find((waiting) => waiting.device === device && waiting.reply === undefined);
      if (answers !== undefined) {
        answers.reply = body;
        this.#emit((listener) => listener.updated?.(answers));
      }
      const incoming: Incoming = { device, text: body, at: new Date(), ...(answers !== undefined ? { answers } : {}) };
      this.#emit((listener) => listener.incoming?.(incoming));
    }
    const receipt = stanza.getChild("received", NS_RECEIPTS)?.attrs.id;
    const message = receipt === undefined ? undefined : this.#waiting.get(receipt);
    if (message !== undefined && message.device === device) {
      message.received = true;
      this.#waiting.delete(message.id);
      this.#emit((listener) => listener.updated?.(message));
    }
  }

  #fail(message: Outgoing, reason: string): void {
    message.failed = reason;
    this.#waiting.delete(message.id);
    this.#emit((listener) => listener.updated?.(message));
  }

  #emit(call: (listener: ConversationListener) => void): void {
    for (const listener of this.#listeners) call(listener);
  }
}
