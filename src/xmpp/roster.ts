// The account's roster (RFC 6121 §2): who is in it, whose presence we receive or have asked
// for, replaced by a roster result and kept current by the server's roster pushes.

import { createElement as xml, type Element } from "ltx";
import { Jid } from "./jid.js";
import { NS } from "./namespaces.js";

export type Subscription = "none" | "to" | "from" | "both";

export interface RosterItem {
  /** Bare JID. */
  readonly jid: string;
  /** The name the account gave it ("" for none). */
  readonly name: string;
  readonly subscription: Subscription;
  /** We asked for their presence and they have not answered yet (ask='subscribe'). */
  readonly pending: boolean;
}

/** The bare JID of `jid`, lower-cased as the parser folds it; the text itself when it does not parse. */
export function bareOf(jid: string): string {
  try {
    return Jid.parse(jid).bare.toString();
  } catch {
    const slash = jid.indexOf("/");
    return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
  }
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

/** The roster as last read and pushed; `known` is false until a whole roster has been read. */
export class Roster {
  readonly #items = new Map<string, RosterItem>();
  #known = false;

  get known(): boolean {
    return this.#known;
  }

  get items(): RosterItem[] {
    return [...this.#items.values()].sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
  }

  get(jid: string): RosterItem | undefined {
    return this.#items.get(bareOf(jid));
  }

  /**
   * Takes a roster result (`whole`: it replaces every item; a result without a query is an empty
   * roster) or a push (its items change, `remove` drops one).
   */
  apply(query: Element | undefined, whole: boolean): void {
    if (whole) {
      this.#items.clear();
      this.#known = true;
    }
    for (const { removed, ...item } of query === undefined ? [] : readRosterItems(query)) {
      if (removed) this.#items.delete(item.jid);
      else this.#items.set(item.jid, item);
    }
  }

  /** Back to unknown, e.g. when the roster could not be read. */
  forget(): void {
    this.#items.clear();
    this.#known = false;
  }

  /**
   * Whether a subscription request to `jid` is worth sending: not when the roster says we
   * already receive its presence or have asked and wait for the answer. A contact's server stores
   * each new pending request by rewriting that account's whole roster, so repeating one at every
   * login costs the hub for nothing. Without a known roster, true: asking again is harmless.
   */
  needsSubscription(jid: string): boolean {
    if (!this.#known) return true;
    const item = this.get(jid);
    return !(seesPresence(item) || item?.pending === true);
  }
}

/**
 * RFC 6121 §2.1.6: a roster push is believed only from the account itself (or the server on its
 * behalf, with no `from`); anyone else's is refused with service-unavailable.
 */
export function isOwnPush(from: string | undefined, account: string): boolean {
  return from === undefined || bareOf(from) === bareOf(account);
}

/** The roster get (RFC 6121 §2.1.3): an iq whose result lists every item. */
export function rosterRequest(id: string): Element {
  return xml("iq", { type: "get", id }, xml("query", { xmlns: NS.ROSTER }));
}
