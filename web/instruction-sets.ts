// Where a device's instruction set comes from: its ad-hoc commands (XEP-0050) when it lists
// them, and its `help` table, asked over chat and read back, for devices that do not.

import type { Client } from "@xmpp/client";
import { listCommands, type CommandItem } from "./adhoc-client.js";
import type { Conversation, Outgoing } from "./conversation.js";
import { parseHelpTable, type HelpTable } from "./help-table.js";

export type Source = "ad-hoc" | "help";

export class InstructionSets {
  readonly #client: Client;
  readonly #conversation: Conversation;
  readonly #adHoc = new Map<string, Promise<CommandItem[] | undefined>>();
  readonly #help = new Map<string, Promise<HelpTable>>();
  readonly #pending = new Map<Outgoing, { resolve: (reply: string) => void; reject: (error: Error) => void }>();

  constructor(client: Client, conversation: Conversation) {
    this.#client = client;
    this.#conversation = conversation;
    conversation.listen({
      updated: (message) => {
        const waiter = this.#pending.get(message);
        if (waiter === undefined) return;
        if (message.failed !== undefined) waiter.reject(new Error(`help was not answered: ${message.failed}`));
        else if (message.received) waiter.resolve(message.reply ?? "");
        else return;
        this.#pending.delete(message);
      },
    });
  }

  /** The device's ad-hoc commands (asked of its full JID once), or undefined when it lists none. */
  adHoc(device: string, fullJid: string): Promise<CommandItem[] | undefined> {
    let list = this.#adHoc.get(device);
    if (list === undefined) {
      list = listCommands(this.#client, fullJid);
      this.#adHoc.set(device, list);
      // A failure may be passing (the device restarting): ask again next time.
      list.catch(() => this.#adHoc.delete(device));
    }
    return list;
  }

  /** The device's help table, from its reply to `help` (asked once). */
  help(device: string, to: string): Promise<HelpTable> {
    let table = this.#help.get(device);
    if (table === undefined) {
      table = this.#ask(to).then(parseHelpTable);
      this.#help.set(device, table);
      table.catch(() => this.#help.delete(device));
    }
    return table;
  }

  /** Forgets what is known of `device`, e.g. when it comes back online (it may be new firmware). */
  forget(device: string): void {
    this.#adHoc.delete(device);
    this.#help.delete(device);
  }

  async #ask(to: string): Promise<string> {
    const message = await this.#conversation.send(to, "help", "help");
    if (message.failed !== undefined) throw new Error(`help was not sent: ${message.failed}`);
    return new Promise((resolve, reject) => this.#pending.set(message, { resolve, reject }));
  }
}
