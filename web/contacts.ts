// The owner's contacts (RFC 6121): the roster, kept current by the hub's roster pushes, and
// each contact's available resources with their status text, live from presence.

import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";

const NS_ROSTER = "jabber:iq:roster";
const NS_CAPS = "http://jabber.org/protocol/caps";

export interface Resource {
  /** The full JID. */
  readonly jid: string;
  readonly status: string;
  readonly show: string;
  /** XEP-0115 node, when the presence carries caps (our firmware names itself there). */
  readonly capsNode?: string;
}

export interface Contact {
  readonly jid: string;
  readonly name: string;
  /** none, to, from or both: "to" and "both" mean we see its presence. */
  readonly subscription: string;
  /** We asked to see its presence and it has not answered yet. */
  readonly pending: boolean;
  /** Available resources, the latest first. */
  readonly resources: readonly Resource[];
  /** The status text of its last presence, kept when it goes offline. */
  readonly lastStatus: string;
}

type Listener = () => void;

function bareOf(jid: string): string {
  const slash = jid.indexOf("/");
  return (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
}

export class Contacts {
  readonly #client: Client;
  readonly #own: string;
  readonly #roster = new Map<string, { name: string; subscription: string; pending: boolean }>();
  readonly #resources = new Map<string, Map<string, Resource>>();
  readonly #lastStatus = new Map<string, string>();
  readonly #requests = new Set<string>();
  readonly #listeners = new Set<Listener>();

  constructor(client: Client, ownJid: string) {
    this.#client = client;
    this.#own = bareOf(ownJid);
    client.iqCallee.set(NS_ROSTER, "query", ({ stanza, element }) => {
      // Roster pushes come from our own account only (RFC 6121 §2.1.6).
      const from = stanza.attrs.from;
      if (from !== undefined && bareOf(from) !== this.#own) return xml("error", { type: "cancel" }, xml("service-unavailable", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }));
      for (const item of element.getChildren("item")) this.#applyItem(item);
      this.#changed();
      return true;
    });
    client.on("stanza", (stanza: Element) => {
      if (stanza.is("presence")) this.#onPresence(stanza);
    });
    // After a reconnect the hub sends everyone's presence again; start from nothing.
    client.on("online", () => {
      this.#resources.clear();
      void this.load().catch(() => undefined);
    });
  }

  /** Asks for the roster, then announces us, so that the hub sends the contacts' presence. */
  async load(): Promise<void> {
    const query = await this.#client.iqCaller.get(xml("query", { xmlns: NS_ROSTER }));
    this.#roster.clear();
    for (const item of query?.getChildren("item") ?? []) this.#applyItem(item);
    this.#changed();
    await this.#client.send(xml("presence", {}));
  }

  onChange(listener: Listener): void {
    this.#listeners.add(listener);
  }

  list(): Contact[] {
    return [...this.#roster.keys()].sort().map((jid) => this.get(jid)!);
  }

  get(jid: string): Contact | undefined {
    const bare = bareOf(jid);
    const entry = this.#roster.get(bare);
    if (entry === undefined) return undefined;
    const resources = [...(this.#resources.get(bare)?.values() ?? [])].reverse();
    return { jid: bare, ...entry, resources, lastStatus: this.#lastStatus.get(bare) ?? "" };
  }

  /** Who asked to see our presence without being in the roster. */
  requests(): string[] {
    return [...this.#requests].sort();
  }

  /** Asks `jid` for its presence (a device approves its owners); the hub adds it to the roster. */
  async add(jid: string): Promise<void> {
    const bare = bareOf(jid);
    await this.#client.send(xml("presence", { to: bare, type: "subscribe" }));
    // A device asks its owners back when it logs in; adding it answers that too.
    if (this.#requests.delete(bare)) {
      await this.#client.send(xml("presence", { to: bare, type: "subscribed" }));
      this.#changed();
    }
  }

  /** Lets `jid` see our presence, and asks for its own in return. */
  async approve(jid: string): Promise<void> {
    const bare = bareOf(jid);
    this.#requests.delete(bare);
    await this.#client.send(xml("presence", { to: bare, type: "subscribed" }));
    const entry = this.#roster.get(bare);
    if (entry === undefined || (entry.subscription !== "to" && entry.subscription !== "both" && !entry.pending)) await this.add(bare);
    this.#changed();
  }

  #applyItem(item: Element): void {
    const jid = item.attrs.jid;
    if (jid === undefined) return;
    const bare = bareOf(jid);
    if (item.attrs.subscription === "remove") {
      this.#roster.delete(bare);
      this.#resources.delete(bare);
      return;
    }
    this.#roster.set(bare, {
      name: item.attrs.name ?? "",
      subscription: item.attrs.subscription ?? "none",
      pending: item.attrs.ask === "subscribe",
    });
  }

  #onPresence(stanza: Element): void {
    const from = stanza.attrs.from;
    if (from === undefined) return;
    const bare = bareOf(from);
    if (bare === this.#own) return;
    const type = stanza.attrs.type;
    if (type === "subscribe") {
      // A contact we added (a device asks its owners back) is approved; anyone else waits for the user.
      if (this.#roster.has(bare)) void this.approve(bare);
      else this.#requests.add(bare);
    } else if (type === undefined || type === "unavailable") {
      const resources = this.#resources.get(bare) ?? new Map<string, Resource>();
      this.#resources.set(bare, resources);
      resources.delete(from);
      const status = stanza.getChildText("status") ?? "";
      if (type === undefined) {
        const caps = stanza.getChild("c", NS_CAPS);
        resources.set(from, { jid: from, status, show: stanza.getChildText("show") ?? "", ...(caps?.attrs.node ? { capsNode: caps.attrs.node } : {}) });
        this.#lastStatus.set(bare, status);
      }
    } else {
      return;
    }
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
