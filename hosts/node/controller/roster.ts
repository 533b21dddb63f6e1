// The owner's roster (RFC 6121 §2): who is in it and whose presence we may see, kept current by
// the server's roster pushes.

import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";

export const NS_ROSTER = "jabber:iq:roster";

export type Subscription = "none" | "to" | "from" | "both";

export interface RosterItem {
  /** Bare JID. */
  readonly jid: string;
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
  return query.getChildren("item").map((item) => {
    const subscription = item.attrs.subscription as string | undefined;
    return {
      jid: String(item.attrs.jid).toLowerCase(),
      subscription: subscription === "to" || subscription === "from" || subscription === "both" ? subscription : "none",
      pending: item.attrs.ask === "subscribe",
      removed: subscription === "remove",
    };
  });
}

export class Roster {
  readonly #items = new Map<string, RosterItem>();
  readonly #listeners = new Set<() => void>();

  /** Fetches the roster and follows the pushes that change it. */
  static async load(xmpp: Client, timeoutMs: number): Promise<Roster> {
    const roster = new Roster();
    const own = xmpp.jid?.bare().toString();
    // RFC 6121 §2.1.6: a push is only believed from our own account (or the server on its behalf).
    xmpp.iqCallee.set(NS_ROSTER, "query", ({ stanza, element }) => {
      const from = stanza.attrs.from as string | undefined;
      if (from !== undefined && from.toLowerCase() !== own) return false;
      roster.#apply(element);
      return true;
    });
    const result = await xmpp.iqCaller.get(xml("query", { xmlns: NS_ROSTER }), undefined, timeoutMs);
    roster.#apply(result);
    return roster;
  }

  get items(): RosterItem[] {
    return [...this.#items.values()].sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
  }

  get(jid: string): RosterItem | undefined {
    return this.#items.get(jid.toLowerCase());
  }

  /** Calls `listener` after every push; returns what stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #apply(query: Element): void {
    for (const { removed, ...item } of readRosterItems(query)) {
      if (removed) this.#items.delete(item.jid);
      else this.#items.set(item.jid, item);
    }
    for (const listener of this.#listeners) listener();
  }
}
