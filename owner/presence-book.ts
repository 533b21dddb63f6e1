// Who is online, from the presence the hub sends us: each contact's available resources with
// their status text, show, priority and entity capabilities (XEP-0115), the last status of a
// contact gone offline, and who asks to subscribe.

import type { Client } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";
import { bareOf, canonical, isFull } from "./addresses.js";

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
  /** away, dnd, ... ("" when available). */
  readonly show: string;
  readonly caps: Caps | undefined;
}

export type SubscriptionEvent = "subscribe" | "subscribed" | "unsubscribed" | "unsubscribe";

/** The resource presence is addressed to: highest priority, then the one heard from last. */
export function preferred(resources: readonly Resource[]): Resource | undefined {
  let best: Resource | undefined;
  for (const resource of resources) if (best === undefined || resource.priority >= best.priority) best = resource;
  return best;
}

export function readResource(presence: Element): Resource {
  const c = presence.getChild("c", NS.CAPS);
  const priority = Number(presence.getChildText("priority") ?? "0");
  return {
    jid: String(presence.attrs.from),
    priority: Number.isInteger(priority) ? priority : 0,
    status: presence.getChildText("status") ?? "",
    show: presence.getChildText("show") ?? "",
    caps: c?.attrs.node && c.attrs.ver ? { node: String(c.attrs.node), ver: String(c.attrs.ver), hash: c.attrs.hash as string | undefined } : undefined,
  };
}

export class PresenceBook {
  // bare JID -> full JID -> resource, in the order they were heard from.
  readonly #online = new Map<string, Map<string, Resource>>();
  readonly #lastStatus = new Map<string, string>();
  readonly #listeners = new Set<() => void>();
  readonly #offlineListeners = new Set<(fullJid: string) => void>();
  readonly #subscriptionListeners = new Set<(from: string, event: SubscriptionEvent) => void>();
  /** Bare JIDs that asked to see our presence and have not been answered here. */
  readonly requests = new Set<string>();

  constructor(xmpp: Client) {
    xmpp.on("stanza", (stanza: Element) => {
      if (stanza.is("presence") && typeof stanza.attrs.from === "string") this.#take(stanza);
    });
    // After a reconnect the hub sends everyone's presence again: what we knew may be stale.
    xmpp.on("offline", () => this.#forgetAll());
    xmpp.on("disconnect", () => this.#forgetAll());
  }

  /** The contact's available resources, the latest heard from last; empty when it is offline (or we cannot see it). */
  resources(bareJid: string): Resource[] {
    return [...(this.#online.get(bareOf(bareJid))?.values() ?? [])];
  }

  resource(fullJid: string): Resource | undefined {
    return this.#online.get(bareOf(fullJid))?.get(canonical(fullJid));
  }

  isOnline(bareJid: string): boolean {
    return this.resources(bareJid).length > 0;
  }

  /** The status text the contact last published, kept when it goes offline ("" for none). */
  lastStatus(bareJid: string): string {
    return this.#lastStatus.get(bareOf(bareJid)) ?? "";
  }

  /** Called after every change of who is online or of a status; returns what stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called with the full JID of every resource that goes offline (unavailable or an error presence). */
  onOffline(listener: (fullJid: string) => void): () => void {
    this.#offlineListeners.add(listener);
    return () => this.#offlineListeners.delete(listener);
  }

  onSubscription(listener: (from: string, event: SubscriptionEvent) => void): () => void {
    this.#subscriptionListeners.add(listener);
    return () => this.#subscriptionListeners.delete(listener);
  }

  #take(presence: Element): void {
    const from = canonical(String(presence.attrs.from));
    const bare = bareOf(from);
    const type = presence.attrs.type as string | undefined;
    if (type === "subscribe" || type === "subscribed" || type === "unsubscribed" || type === "unsubscribe") {
      if (type === "subscribe") this.requests.add(bare);
      for (const listener of this.#subscriptionListeners) listener(bare, type);
      return;
    }
    if (type === "error") {
      // A presence error (RFC 6121 §4.4: e.g. the contact's account is gone) ends what we knew.
      for (const resource of this.resources(bare)) this.#remove(resource.jid);
      this.#changed();
      return;
    }
    if (!isFull(from) || (type !== undefined && type !== "unavailable")) return;
    if (type === "unavailable") {
      if (!this.#remove(from)) return;
    } else {
      let resources = this.#online.get(bare);
      if (resources === undefined) this.#online.set(bare, (resources = new Map()));
      resources.delete(from);
      const resource = readResource(presence);
      resources.set(from, { ...resource, jid: from });
      this.#lastStatus.set(bare, resource.status);
    }
    this.#changed();
  }

  #remove(fullJid: string): boolean {
    const bare = bareOf(fullJid);
    const resources = this.#online.get(bare);
    if (resources?.delete(fullJid) !== true) return false;
    if (resources.size === 0) this.#online.delete(bare);
    for (const listener of this.#offlineListeners) listener(fullJid);
    return true;
  }

  #forgetAll(): void {
    if (this.#online.size === 0) return;
    this.#online.clear();
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
