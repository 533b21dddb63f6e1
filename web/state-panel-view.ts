// The selected device's live state: its presence status text as it changes, and the reply to
// `status` (outputs, timers, trips) on demand, asked again by itself when the presence shows the
// state changed since, so that the box never keeps showing a command the device has stopped.

import type { Contacts } from "./contacts.js";
import { originOf, type Conversation, type Outgoing } from "./conversation.js";
import { byId, clock, fill } from "./dom.js";

interface Asked {
  readonly message: Outgoing;
  /** The presence status when it was asked ("" offline): a different one makes the reply stale. */
  readonly presence: string;
  /** Asked because the presence changed, not by the button. */
  readonly automatic: boolean;
}

export class StatePanelView {
  readonly #contacts: Contacts;
  readonly #conversation: Conversation;
  readonly #target: (device: string) => string;
  readonly #presence = byId("presence-status");
  readonly #reply = byId("status-reply");
  readonly #asked = new Map<string, Asked>();
  #device: string | undefined;

  constructor(contacts: Contacts, conversation: Conversation, target: (device: string) => string) {
    this.#contacts = contacts;
    this.#conversation = conversation;
    this.#target = target;
    contacts.onChange(() => {
      this.#renderPresence();
      this.#followPresence();
    });
    conversation.listen({
      updated: (message) => {
        if (originOf(message) !== "status" || message.device !== this.#device) return;
        this.#renderReply();
        // The presence may have changed while the question was out: then it is asked again now.
        if (message.state === "done" || message.state === "failed") this.#followPresence();
      },
    });
    byId("refresh-status").addEventListener("click", () => {
      if (this.#device !== undefined) this.#ask(this.#device, false);
    });
  }

  show(device: string): void {
    this.#device = device;
    this.#renderPresence();
    this.#followPresence();
    this.#renderReply();
  }

  #presenceText(device: string): string {
    return this.#contacts.get(device)?.resources[0]?.status ?? "";
  }

  #ask(device: string, automatic: boolean): void {
    const message = this.#conversation.send(this.#target(device), "status", "status");
    this.#asked.set(device, { message, presence: this.#presenceText(device), automatic });
    this.#renderReply();
  }

  /** Asks again when the shown device's presence changed since its last reply (one question at a time). */
  #followPresence(): void {
    const device = this.#device;
    const asked = device === undefined ? undefined : this.#asked.get(device);
    if (device === undefined || asked === undefined) return;
    const settled = asked.message.state === "done" || asked.message.state === "failed";
    const now = this.#presenceText(device);
    if (!settled || now === asked.presence) return;
    // Offline there is no one to ask: the reply is kept, marked as from before.
    if (this.#contacts.get(device)?.resources.length === 0) return this.#renderReply();
    this.#ask(device, true);
  }

  #renderPresence(): void {
    if (this.#device === undefined) return;
    const contact = this.#contacts.get(this.#device);
    const online = contact !== undefined && contact.resources.length > 0;
    this.#presence.dataset.state = online ? "online" : "offline";
    this.#presence.textContent = online ? contact.resources[0]!.status || "(no status text)" : "offline";
  }

  #renderReply(): void {
    const device = this.#device;
    const asked = device === undefined ? undefined : this.#asked.get(device);
    if (device === undefined || asked === undefined) {
      delete this.#reply.dataset.stale;
      return fill(this.#reply, "Press Refresh status to ask the device.");
    }
    const { message } = asked;
    const stale = message.state !== "waiting" && message.state !== "sent" && this.#presenceText(device) !== asked.presence;
    this.#reply.dataset.stale = String(stale);
    const state = message.failed ?? (message.reply === undefined ? "asked, waiting for the reply…" : "");
    fill(
      this.#reply,
      `${clock(message.createdAt)}${asked.automatic ? " (asked again: its presence changed)" : ""} `,
      message.reply ?? state,
      message.reply !== undefined && message.failed ? `\n(${message.failed})` : "",
      stale ? "\n(from before the device went offline)" : "",
    );
  }
}
