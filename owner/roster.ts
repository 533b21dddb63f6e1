// The owner's roster (RFC 6121 §2): who is in it, whose presence we may see, kept current by
// the server's roster pushes, and contacts removed again.

import { type Client, xml } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";
import { bareOf } from "./addresses.js";

import { isOwnPush, Roster as RosterItems, type RosterItem } from "../src/xmpp/roster.js";

export { readRosterItems, seesPresence, type RosterItem, type Subscription } from "../src/xmpp/roster.js";

export class Roster {
  readonly #xmpp: Client;
  readonly #timeoutMs: number;
  readonly #items = new RosterItems();
  readonly #listeners = new Set<() => void>();

  /** Follows the pushes of `xmpp`'s account; call load() for the roster itself. */
  constructor(xmpp: Client, timeoutMs: number) {
    this.#xmpp = xmpp;
    this.#timeoutMs = timeoutMs;
    xmpp.iqCallee.set(NS.ROSTER, "query", ({ stanza, element }) => {
      if (xmpp.jid === null || !isOwnPush(stanza.attrs.from as string | undefined, xmpp.jid.toString())) {
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
    return this.#items.items;
  }

  get(jid: string): RosterItem | undefined {
    return this.#items.get(jid);
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
    this.#items.apply(query, whole);
    for (const listener of this.#listeners) listener();
  }
}
