// Who is online, from the presence the hub sends us: each contact's available resources with
// their status text, priority and entity capabilities (XEP-0115), and who asks to subscribe.

import type { Client } from "@xmpp/client";
import type { Element } from "ltx";

export const NS_CAPS = "http://jabber.org/protocol/caps";

export interface Caps {
  readonly node: string;
  readonly ver: string;
  /** The hash function's IANA name ("sha-1"); absent in legacy caps (no ver to verify). */
  readonly hash: string | undefined;
}

export interface Resource {
  /** Full JID. */
  readonly jid: string;
  readonly priority: number;
  readonly status: string;
  readonly caps: Caps | undefined;
}

export type SubscriptionEvent = "subscribe" | "subscribed" | "unsubscribed";

/** The resource presence is addressed to: highest priority, then the one heard from last. */
export function preferred(resources: readonly Resource[]): Resource | undefined {
  let best: Resource | undefined;
  for (const resource of resources) if (best === undefined || resource.priority >= best.priority) best = resource;
  return best;
}

export function readResource(presence: Element): Resource {
  const c = presence.getChild("c", NS_CAPS);
  const priority = Number(presence.getChildText("priority") ?? "0");
  return {
    jid: String(presence.attrs.from),
    priority: Number.isInteger(priority) ? priority : 0,
    status: presence.getChildText("status") ?? "",
    caps: c?.attrs.node && c.attrs.ver ? { node: String(c.attrs.node), ver: String(c.attrs.ver), hash: c.attrs.hash as string | undefined } : undefined,
  };
}

export class PresenceBook {
  // bare JID -> full JID -> resource, in the order they were heard from.
  readonly #online = new Map<string, Map<string, Resource>>();
  readonly #listeners = new Set<() => void>();
  readonly #subscriptionListeners = new Set<(from: string, event: SubscriptionEvent) => void>();
  /** Bare JIDs that asked to see our presence. */
  readonly requests = new Set<string>();

  constructor(xmpp: Client) {
    xmpp.on("stanza", (stanza: Element) => {
      if (stanza.is("presence") && typeof stanza.attrs.from === "string") this.#take(stanza);
    });
  }

  /** The contact's available resources; empty when it is offline (or we cannot see it). */
  resources(bareJid: string): Resource[] {
    return [...(this.#online.get(bareJid.toLowerCase())?.values() ?? [])];
  }

  isOnline(bareJid: string): boolean {
    return this.resources(bareJid).length > 0;
  }

  /** Called after every change of who is online or of a status. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onSubscription(listener: (from: string, event: SubscriptionEvent) => void): () => void {
    this.#subscriptionListeners.add(listener);
    return () => this.#subscriptionListeners.delete(listener);
  }

  #take(presence: Element): void {
    const from = String(presence.attrs.from);
    const slash = from.indexOf("/");
    const bare = (slash < 0 ? from : from.slice(0, slash)).toLowerCase();
    const type = presence.attrs.type as string | undefined;
    if (type === "subscribe" || type === "subscribed" || type === "unsubscribed") {
      if (type === "subscribe") this.requests.add(bare);
      for (const listener of this.#subscriptionListeners) listener(bare, type);
      return;
    }
    if (slash < 0 || (type !== undefined && type !== "unavailable")) return;
    let resources = this.#online.get(bare);
    if (type === "unavailable") {
      resources?.delete(from);
      if (resources?.size === 0) this.#online.delete(bare);
    } else {
      if (resources === undefined) this.#online.set(bare, (resources = new Map()));
      resources.delete(from);
      resources.set(from, readResource(presence));
    }
    for (const listener of this.#listeners) listener();
  }
}
