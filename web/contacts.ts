// The owner's contacts as the page shows them: the roster and each contact's available
// resources with their status text, live from presence, from the owner-side library.

import type { OwnerClient } from "../owner/owner-client.js";
import type { Resource } from "../owner/presence-book.js";

export type { Resource } from "../owner/presence-book.js";

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

export class Contacts {
  readonly #owner: OwnerClient;
  readonly #listeners = new Set<Listener>();
  // Full JID and caps ver -> whether it lists ad-hoc commands ("asking" while its disco#info is
  // out): asked only for contacts on screen, and through the library's caps cache once per ver.
  readonly #commands = new Map<string, boolean | "asking">();

  constructor(owner: OwnerClient) {
    this.#owner = owner;
    owner.roster.onChange(() => this.#changed());
    owner.presence.onChange(() => this.#changed());
    owner.presence.onSubscription(() => this.#changed());
  }

  /** Loads the roster and announces us, so that the hub sends the contacts' presence. */
  load(): Promise<void> {
    return this.#owner.start();
  }

  onChange(listener: Listener): void {
    this.#listeners.add(listener);
  }

  list(): Contact[] {
    return this.#owner.roster.items.map((item) => this.get(item.jid)!);
  }

  get(jid: string): Contact | undefined {
    const item = this.#owner.roster.get(jid);
    if (item === undefined) return undefined;
    const { presence } = this.#owner;
    return { ...item, resources: presence.resources(item.jid).reverse(), lastStatus: presence.lastStatus(item.jid) };
  }

  /**
   * Whether the contact's online resource lists ad-hoc commands (XEP-0050), from its disco#info:
   * undefined until known (the view asks again on the next change), false when it is offline.
   */
  commands(contact: Contact, known: () => void): boolean | undefined {
    const resource = contact.resources[0];
    if (resource === undefined) return false;
    const key = `${resource.jid} ${resource.caps?.ver ?? ""}`;
    const answer = this.#commands.get(key);
    if (answer !== undefined) return answer === "asking" ? undefined : answer;
    this.#commands.set(key, "asking");
    this.#owner.capabilities.hasCommands(resource).then(
      (has) => this.#commands.set(key, has),
      () => this.#commands.set(key, false),
    ).finally(known);
    return undefined;
  }

  /** Who asked to see our presence without being in the roster. */
  requests(): string[] {
    return [...this.#owner.presence.requests].filter((jid) => this.#owner.roster.get(jid) === undefined).sort();
  }

  /** Asks `jid` for its presence (a device approves its owners); the hub adds it to the roster. */
  async add(jid: string): Promise<void> {
    await this.#owner.add(jid);
    this.#changed();
  }

  /** Lets `jid` see our presence, and asks for its own in return. */
  async approve(jid: string): Promise<void> {
    await this.#owner.approve(jid);
    this.#changed();
  }

  async decline(jid: string): Promise<void> {
    await this.#owner.decline(jid);
    this.#changed();
  }

  /** Takes `jid` out of the roster; the hub's roster push then updates the list. */
  async remove(jid: string): Promise<void> {
    await this.#owner.remove(jid);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
