// Where a device's instruction set comes from: its ad-hoc commands (XEP-0050) when it lists
// them, and its `help` table, asked over chat and read back, for devices that do not.

import type { CommandItem } from "../owner/adhoc.js";
import type { OwnerClient } from "../owner/owner-client.js";
import type { Conversation } from "./conversation.js";
import { parseHelpTable, type HelpTable } from "./help-table.js";

export type Source = "ad-hoc" | "help";

export class InstructionSets {
  readonly #owner: OwnerClient;
  readonly #conversation: Conversation;
  readonly #adHoc = new Map<string, Promise<CommandItem[] | undefined>>();
  readonly #help = new Map<string, Promise<HelpTable>>();

  constructor(owner: OwnerClient, conversation: Conversation) {
    this.#owner = owner;
    this.#conversation = conversation;
  }

  /** The device's ad-hoc commands (asked of its full JID once), or undefined when it lists none. */
  adHoc(device: string, fullJid: string): Promise<CommandItem[] | undefined> {
    let list = this.#adHoc.get(device);
    if (list === undefined) {
      list = this.#owner.commands.list(fullJid);
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

  /**
   * What to type to the device in the chat: `help`, `status` and each instruction's example from
   * its help table (`PREHEAT 350 20`, or the opcode where the table gives none).
   */
  async chatHints(device: string, to: string): Promise<string[]> {
    const table = await this.help(device, to);
    const hints = ["help", "status", ...table.instructions.map((instruction) => instruction.example ?? instruction.opcode)];
    return [...new Set(hints)];
  }

  /** Forgets what is known of `device`, e.g. when it comes back online (it may be new firmware). */
  forget(device: string): void {
    this.#adHoc.delete(device);
    this.#help.delete(device);
  }

  async #ask(to: string): Promise<string> {
    const message = await this.#conversation.send(to, "help", "help").settled;
    // A reply whose receipt went missing is still the table.
    if (message.reply === undefined) throw new Error(`help was not answered: ${message.failed ?? "no reply"}`);
    return message.reply;
  }
}
