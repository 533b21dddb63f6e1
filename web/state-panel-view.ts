// The selected device's live state: its presence status text as it changes, and the reply to
// `status` (outputs, timers, trips) on demand.

import type { Contacts } from "./contacts.js";
import { originOf, type Conversation, type Outgoing } from "./conversation.js";
import { byId, clock, fill } from "./dom.js";

export class StatePanelView {
  readonly #contacts: Contacts;
  readonly #presence = byId("presence-status");
  readonly #reply = byId("status-reply");
  readonly #replies = new Map<string, Outgoing>();
  #device: string | undefined;

  constructor(contacts: Contacts, conversation: Conversation, target: (device: string) => string) {
    this.#contacts = contacts;
    contacts.onChange(() => this.#renderPresence());
    conversation.listen({
      updated: (message) => {
        if (originOf(message) !== "status") return;
        this.#replies.set(message.device, message);
        if (message.device === this.#device) this.#renderReply();
      },
    });
    byId("refresh-status").addEventListener("click", () => {
      if (this.#device !== undefined) void conversation.send(target(this.#device), "status", "status");
    });
  }

  show(device: string): void {
    this.#device = device;
    this.#renderPresence();
    this.#renderReply();
  }

  #renderPresence(): void {
    if (this.#device === undefined) return;
    const contact = this.#contacts.get(this.#device);
    const online = contact !== undefined && contact.resources.length > 0;
    this.#presence.dataset.state = online ? "online" : "offline";
    this.#presence.textContent = online ? contact.resources[0]!.status || "(no status text)" : "offline";
  }

  #renderReply(): void {
    const message = this.#device === undefined ? undefined : this.#replies.get(this.#device);
    if (message === undefined) return fill(this.#reply, "Press Refresh status to ask the device.");
    const state = message.failed ?? (message.reply === undefined ? "asked, waiting for the reply…" : "");
    fill(this.#reply, `${clock(message.createdAt)} `, message.reply ?? state, message.reply !== undefined && message.failed ? `\n(${message.failed})` : "");
  }
}
