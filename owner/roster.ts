// The owner's roster (RFC 6121 §2): who is in it, whose presence we may see, kept current by
// the server's roster pushes, and contacts removed again.

import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";
import { bareOf } from "./addresses.js";

export type Subscription = "none" | "to" | "from" | "both";

export interface RosterItem {
  /** Bare JID. */
  readonly jid: string;
  /** The name the owner gave it ("" for none). */
  readonly name: string;
  readonly subscription: Subscription;
  /** We asked for their presence and they have not answered yet. */
  readonly pending: boolean;
}

/** Whether the server lets us see the contact's presence. */
export function seesPresence(item: RosterItem | undefined): boolean {
  return item?.subscription === "to" || item?.subscription === "both";
}

/** The items of a roster result or push; a push's `subscription='remove'` comes back as `removed`. */
export function readRosterItems(query: Element): Array<RosterItem & { readonly removed: boolean }> {
  return query.getChildren("item").filter((item) => typeof item.attrs.jid === "string").map((item) => {
    const subscription = item.attrs.subscription as string | undefined;
    return {
      jid: bareOf(String(item.attrs.jid)),
      name: String(item.attrs.name ?? ""),
      subscription: subscription === "to" || subscription === "from" || subscription === "both" ? subscription : "none",
      pending: item.attrs.ask === "subscribe",
      removed: subscription === "remove",
    };
  });
}

export class Roster {
  readonly #xmpp: Client;
  readonly #timeoutMs: number;
  readonly #items = new Map<string, RosterItem>();
  readonly #listeners = new Set<() => void>();

  /** Follows the pushes of `xmpp`'s account; call load() for the roster itself. */
  constructor(xmpp: Client, timeoutMs: number) {
    this.#xmpp = xmpp;
    this.#timeoutMs = timeoutMs;
    xmpp.iqCallee.set(NS.ROSTER, "query", ({ stanza, element }) => {
      // RFC 6121 §2.1.6: a push is only believed from our own account (or the server on its behalf).
      const from = stanza.attrs.from as string | undefined;
      const own = xmpp.jid === null ? undefined : bareOf(xmpp.jid.toString());
      if (from !== undefined && bareOf(from) !== own) {
        return xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: NS.STANZAS }));
      }
      this.#apply(element, false);
      return true;
    });
  }

  /** Fetches the whole roster (again, after a reconnect), replacing what was known. */
  async load(): Promise<void> {
    const result = await this.#xmpp.iqCaller.get(xml("query", { xmlns: NS.ROSTER }), undefined, this.#timeoutMs);
    this.#apply(result, true);
  }

  get items(): RosterItem[] {
    return [...this.#items.values()].sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
  }

  get(jid: string): RosterItem | undefined {
    return this.#items.get(bareOf(jid));
  }

  /**
   * Takes `jid` out of the roster: the server cancels the subscriptions both ways and drops a
   * pending request (RFC 6121 §2.5), so a contact that never answers stops showing as pending.
   */
  async remove(jid: string): Promise<void> {
    await this.#xmpp.iqCaller.set(xml("query", { xmlns: NS.ROSTER }, xml("item", { jid: bareOf(jid), subscription: "remove" })), undefined, this.#timeoutMs);
  }

  /** Calls `listener` after every change; returns what stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(query: Element | undefined, whole: boolean): void {
    if (whole) this.#items.clear();
    for (const { removed, ...item } of query === undefined ? [] : readRosterItems(query)) {
      if (removed) this.#items.delete(item.jid);
      else this.#items.set(item.jid, item);
    }
    for (const listener of this.#listeners) listener();
  }
}
