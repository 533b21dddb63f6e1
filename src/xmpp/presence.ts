// Presence: our availability with a status text, and answers to subscription requests.

import { createElement as xml, type Element } from "ltx";

/** Available presence with a status text and, when given, extensions such as entity capabilities. */
export function availablePresence(status: string | undefined, ...extensions: Element[]): Element {
  return xml("presence", {}, status ? xml("status", {}, status) : null, extensions);
}

/** `subscribed` approves a request, `unsubscribed` refuses it (RFC 6121 §3.2). */
export function subscriptionAnswer(to: string, approve: boolean): Element {
  return xml("presence", { to, type: approve ? "subscribed" : "unsubscribed" });
}

/** Asks `to` for a subscription to its presence (and so a place in its roster). */
export function subscriptionRequest(to: string): Element {
  return xml("presence", { to, type: "subscribe" });
}
