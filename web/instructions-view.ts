// The selected device's instruction set as forms: its ad-hoc commands when it lists them (each
// form from the device's data form, submitted as XEP-0050), else its help table (each form from
// a row, sent as a chat command); either way each submission goes into the delivery log.

import { CommandFailure, type CommandItem, type CommandStep, type Executing } from "../owner/adhoc.js";
import type { OwnerClient } from "../owner/owner-client.js";
import type { Contacts } from "./contacts.js";
import type { Conversation } from "./conversation.js";
import { isOk, type Deliveries, type Delivery } from "./deliveries.js";
import { byId, el, fill } from "./dom.js";
import type { HelpTable } from "./help-table.js";
import { commandText, type FieldValues, type Instruction } from "./instruction.js";
import { instructionForm } from "./instruction-form.js";
import type { InstructionSets, Source } from "./instruction-sets.js";

/** The status node is left out of the list: the state panel asks for status already. */
const STATUS_NODE = "status";

export interface InstructionsContext {
  readonly owner: OwnerClient;
  readonly contacts: Contacts;
  readonly conversation: Conversation;
  readonly deliveries: Deliveries;
  readonly sets: InstructionSets;
  /** Where to send to `device`: its full JID when online, else its bare JID. */
  readonly target: (device: string) => string;
}

export class InstructionsView {
  readonly #context: InstructionsContext;
  readonly #note = byId("instructions-note");
  readonly #list = byId<HTMLUListElement>("instruction-list");
  readonly #formArea = byId("instruction-form");
  readonly #sourceSelect = byId<HTMLSelectElement>("instruction-source");
  #device: string | undefined;
  #source: Source | undefined;
  #adHoc: CommandItem[] | undefined;
  /** A session opened to show a form and not used yet: cancelled when the form goes away. */
  #unused: { device: string; to: string; step: Executing } | undefined;
  /** Bumped on every change of device or source, so late answers for the old one are dropped. */
  #generation = 0;
  #wasOnline = false;

  constructor(context: InstructionsContext) {
    this.#context = context;
    this.#sourceSelect.addEventListener("change", () => {
      if (this.#device !== undefined) void this.#load(this.#device, this.#sourceSelect.value as Source);
    });
    context.contacts.onChange(() => {
      if (this.#device === undefined) return;
      const online = this.#fullJid(this.#device) !== undefined;
      // Coming online: (re)load, since what it offers may have changed with its firmware.
      if (online && !this.#wasOnline) {
        context.sets.forget(this.#device);
        void this.#load(this.#device, undefined);
      }
      this.#wasOnline = online;
    });
  }

  show(device: string): void {
    if (device === this.#device) return;
    this.#device = device;
    this.#wasOnline = this.#fullJid(device) !== undefined;
    void this.#load(device, undefined);
  }

  #fullJid(device: string): string | undefined {
    return this.#context.contacts.get(device)?.resources[0]?.jid;
  }

  /** Shows the instruction set from `wanted`, or the best there is: ad-hoc commands when listed, else help. */
  async #load(device: string, wanted: Source | undefined): Promise<void> {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#closeForm();
    fill(this.#list);
    const full = this.#fullJid(device);
    if (full === undefined) {
      this.#setSources([]);
      this.#note.textContent = "The device is offline: its commands show when it comes online.";
      return;
    }
    this.#note.textContent = "Asking the device for its commands…";
    try {
      this.#adHoc = await this.#context.sets.adHoc(device, full);
    } catch (error) {
      this.#adHoc = undefined;
      if (!current()) return;
      this.#note.textContent = `${(error as Error).message}; showing the help table instead.`;
    }
    if (!current()) return;
    const source: Source = wanted ?? (this.#adHoc !== undefined ? "ad-hoc" : "help");
    this.#source = source;
    this.#setSources(this.#adHoc !== undefined ? ["ad-hoc", "help"] : ["help"]);
    if (source === "ad-hoc" && this.#adHoc !== undefined) {
      this.#note.textContent = "From the device's ad-hoc commands (XEP-0050): each form is the device's own.";
      return this.#renderAdHoc(device, this.#adHoc);
    }
    this.#note.textContent = "Reading the device's help table…";
    let table: HelpTable;
    try {
      table = await this.#context.sets.help(device, this.#context.target(device));
    } catch (error) {
      if (current()) this.#note.textContent = `Cannot show the commands: ${(error as Error).message}. Use the chat below.`;
      return;
    }
    if (!current()) return;
    this.#note.textContent = `From the device's help table (${table.device}): commands go as chat messages.`;
    this.#renderHelp(device, table);
  }

  #setSources(sources: Source[]): void {
    const labels: Record<Source, string> = { "ad-hoc": "ad-hoc commands (XEP-0050)", help: "help table (chat)" };
    fill(this.#sourceSelect, sources.map((source) => el("option", { value: source, selected: source === this.#source }, labels[source])));
    this.#sourceSelect.disabled = sources.length < 2;
  }

  #commandButton(opcode: string, task: string, open: () => void): HTMLLIElement {
    return el("li", {}, el("button", { type: "button", "data-opcode": opcode, onclick: open }, `${task} `, el("code", {}, opcode)));
  }

  #renderHelp(device: string, table: HelpTable): void {
    fill(this.#list, table.instructions.map((instruction) => this.#commandButton(instruction.opcode, instruction.task, () => {
      this.#closeForm();
      const form = instructionForm(instruction, `Send ${instruction.opcode}`, (values) => {
        void this.#context.conversation.send(this.#context.target(device), commandText(instruction, values), "command");
      });
      this.#showForm(form);
    })));
  }

  #renderAdHoc(device: string, items: readonly CommandItem[]): void {
    const generation = this.#generation;
    fill(this.#list, items.filter((item) => item.node !== STATUS_NODE).map((item) => this.#commandButton(item.node, item.name, () => {
      this.#closeForm();
      const to = this.#fullJid(device) ?? this.#context.target(device);
      fill(this.#formArea, el("p", { class: "usage" }, `Opening ${item.node}…`));
      this.#context.owner.commands.execute(to, item.node).then(
        (step) => {
          if (generation !== this.#generation) return void (step.status === "executing" && this.#context.owner.commands.cancel(to, step));
          if (step.status !== "executing") {
            // A command without operands runs as soon as it is executed.
            const delivery = this.#context.deliveries.sentAdHoc(device, item.node);
            this.#settle(delivery, step);
            return fill(this.#formArea);
          }
          this.#unused = { device, to, step };
          const instruction: Instruction = {
            opcode: item.node, task: step.form.title ?? item.name, fields: step.form.fields,
            ...(step.form.instructions !== undefined ? { instructions: step.form.instructions } : {}),
          };
          this.#showForm(instructionForm(instruction, `Send ${item.node}`, (values) => void this.#submitAdHoc(device, instruction, values)));
        },
        (error: Error) => fill(this.#formArea, el("p", { class: "error" }, error.message)),
      );
    })));
  }

  /** Submits the form: in the session it was opened with, or (sent before, or expired) in a new one. */
  async #submitAdHoc(device: string, instruction: Instruction, values: FieldValues): Promise<void> {
    const delivery = this.#context.deliveries.sentAdHoc(device, commandText(instruction, values));
    const to = this.#fullJid(device) ?? this.#context.target(device);
    for (let attempt = 1; ; attempt++) {
      let step: CommandStep;
      const session = this.#unused?.device === device && this.#unused.step.node === instruction.opcode ? this.#unused.step : undefined;
      this.#unused = undefined;
      try {
        step = session ?? (await this.#context.owner.commands.execute(to, instruction.opcode));
        if (step.status === "executing") step = await this.#context.owner.commands.complete(to, step, values);
      } catch (error) {
        const expired = error instanceof CommandFailure && error.condition === "bad-request" && session !== undefined;
        if (expired && attempt === 1) continue;
        delivery.result = { text: (error as Error).message, ok: false };
        this.#context.deliveries.changed(delivery);
        return;
      }
      this.#settle(delivery, step);
      // Refused with the form again (XEP-0050 §3.4): that session is the one a corrected submission goes to.
      if (step.status === "executing") this.#unused = { device, to, step };
      return;
    }
  }

  #settle(delivery: Delivery, step: CommandStep): void {
    delivery.received = true;
    if (step.status === "executing") delivery.result = { text: step.note?.text ?? "the device asks for more input", ok: false };
    else if (step.status === "canceled") delivery.result = { text: "canceled by the device", ok: false };
    else {
      const text = step.note?.text ?? "done";
      delivery.result = { text, ok: step.note?.type !== "error" && isOk(text) };
    }
    this.#context.deliveries.changed(delivery);
  }

  /** Shows `form` and brings it on screen (below the list on a phone it would start out of sight). */
  #showForm(form: HTMLFormElement): void {
    fill(this.#formArea, form);
    form.scrollIntoView({ block: "nearest" });
  }

  #closeForm(): void {
    fill(this.#formArea);
    if (this.#unused !== undefined) {
      void this.#context.owner.commands.cancel(this.#unused.to, this.#unused.step);
      this.#unused = undefined;
    }
  }
}
