// Chat with devices through the owner-side library's messages: each message goes out with a
// receipt request and a thread of its own, its reply matched by thread and its receipt by id
// (owner/messages.ts); here each is tagged with the part of the page that sent it.

import type { Incoming, MessagesListener, Outgoing } from "../owner/messages.js";
import type { OwnerClient } from "../owner/owner-client.js";

export type { Incoming, Outgoing } from "../owner/messages.js";

/** Who sent it: the chat view, a command form, the state panel's refresh, or the dashboard reading `help`. */
export type Origin = "chat" | "command" | "status" | "help";

export type ConversationListener = MessagesListener;

export class Conversation {
  readonly #owner: OwnerClient;

  constructor(owner: OwnerClient) {
    this.#owner = owner;
  }

  listen(listener: ConversationListener): void {
    this.#owner.messages.listen(listener);
  }

  /** Sends `text` to `to` (a full JID when the device is online, else its bare JID). */
  send(to: string, text: string, origin: Origin): Outgoing {
    return this.#owner.messages.send(to, text, origin);
  }
}

/** The part of the page a message came from. */
export function originOf(message: Outgoing): Origin {
  return message.tag as Origin;
}

/** Whether the page sent `message` to read the device (its help table, its status), not the user. */
export function isLookup(message: Outgoing): boolean {
  const origin = originOf(message);
  return origin === "help" || origin === "status";
}

/** Whether `incoming` answers one of the dashboard's own lookups. */
export function answersLookup(incoming: Incoming): boolean {
  return incoming.answers !== undefined && isLookup(incoming.answers);
}
