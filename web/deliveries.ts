// Every command the dashboard sent, per device, with how far it got: sent, received by the
// device (the receipt of a chat command, the iq answer of an ad-hoc one), and its result.

import { originOf, type Conversation, type Outgoing } from "./conversation.js";

export interface Delivery {
  readonly key: string;
  readonly device: string;
  /** The command as text, e.g. `PREHEAT 350 20`. */
  readonly text: string;
  readonly via: "chat" | "ad-hoc";
  readonly sentAt: Date;
  received: boolean;
  result?: { readonly text: string; readonly ok: boolean };
}

/** Whether a device's answer reports success: its replies start with "ok" or with "error:". */
export function isOk(text: string): boolean {
  return !/^error\b/i.test(text.trim());
}

export class Deliveries {
  readonly #entries: Delivery[] = [];
  readonly #listeners = new Set<(delivery: Delivery) => void>();
  #counter = 0;

  /** Follows the chat commands (origin "command") of `conversation`. */
  constructor(conversation: Conversation) {
    conversation.listen({ updated: (message) => originOf(message) === "command" && this.#fromChat(message) });
  }

  onChange(listener: (delivery: Delivery) => void): void {
    this.#listeners.add(listener);
  }

  of(device: string): readonly Delivery[] {
    return this.#entries.filter((entry) => entry.device === device);
  }

  /** An ad-hoc command just sent. */
  sentAdHoc(device: string, text: string): Delivery {
    const delivery: Delivery = { key: `adhoc-${++this.#counter}`, device, text, via: "ad-hoc", sentAt: new Date(), received: false };
    this.#entries.push(delivery);
    this.changed(delivery);
    return delivery;
  }

  /** Marks what changed in `delivery` as shown. */
  changed(delivery: Delivery): void {
    for (const listener of this.#listeners) listener(delivery);
  }

  #fromChat(message: Outgoing): void {
    let delivery = this.#entries.find((entry) => entry.key === message.id);
    if (delivery === undefined) {
      delivery = { key: message.id, device: message.device, text: message.text, via: "chat", sentAt: message.createdAt, received: false };
      this.#entries.push(delivery);
    }
    delivery.received = message.received;
    if (message.failed !== undefined) delivery.result = { text: message.failed, ok: false };
    else if (message.reply !== undefined) delivery.result = { text: message.reply, ok: isOk(message.reply) };
    this.changed(delivery);
  }
}
