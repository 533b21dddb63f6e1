// Presence: our availability with a status text, and answers to subscription requests.

import { createElement as xml, type Element } from "ltx";

export function availablePresence(status: string | undefined): Element {
  return xml("presence", {}, status ? xml("status", {}, status) : null);
}

/** `subscribed` approves a request, `unsubscribed` refuses it (RFC 6121 §3.2). */
export function subscriptionAnswer(to: string, approve: boolean): Element {
  return xml("presence", { to, type: approve ? "subscribed" : "unsubscribed" });
}

/** Asks `to` for a subscription to its presence (and so a place in its roster). */
export function subscriptionRequest(to: string): Element {
  return xml("presence", { to, type: "subscribe" });
}
