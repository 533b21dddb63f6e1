// Ad-hoc commands (XEP-0050) from the owner's side: the list a device gives through
// disco#items, executing one to get its data form, submitting the form for the result, and
// cancelling a session. A refusal is a failure whichever way the device says it: an iq error
// with its reply as the text (what the firmware sends), a completed note of type error, or
// (XEP-0050 §3.4) status executing with an error note and the form again.

import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { NS } from "../src/xmpp/namespaces.js";
import { readDataForm, submitDataForm, type DataForm, type FieldValues } from "./data-form.js";

const DEFAULT_TIMEOUT_MS = 15_000;

export interface CommandItem {
  readonly node: string;
  readonly name: string;
  /** The JID that runs it (the device's full JID, as it lists itself). */
  readonly jid: string;
}

export interface Note {
  readonly type: "info" | "warn" | "error";
  readonly text: string;
}

/** Where a command stands after a step: a form to fill in (perhaps again, with why), done with a
 * note, or refused by the device (its iq error, whose text is the device's reply, as an error note). */
export type CommandStep =
  | { readonly status: "executing"; readonly node: string; readonly sessionid: string; readonly form: DataForm; readonly note: Note | undefined }
  | { readonly status: "completed" | "canceled"; readonly node: string; readonly note: Note | undefined }
  | { readonly status: "refused"; readonly node: string; readonly note: Note & { readonly type: "error" } };

export type Executing = Extract<CommandStep, { status: "executing" }>;

/** Why a step failed: the device's iq error or no answer. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  constructor(message: string, readonly condition: string) {
    super(message);
  }
}

/** Whether a step is the device's refusal: an iq error with its reason, or an error note, completed or with the form again. */
export function isRefusal(step: CommandStep): boolean {
  return step.status === "refused" || step.note?.type === "error";
}

/** The device's refusal given as an iq error with its reply as the text (bad-payload: the values
 * submitted; not-acceptable: a command run at once), as a step; undefined for any other failure. */
function refusalStep(error: unknown, node: string): CommandStep | undefined {
  const { condition, text, application } = error as { condition?: string; text?: string; application?: { name?: string } };
  const refused = (condition === "bad-request" && application?.name === "bad-payload") || condition === "not-acceptable";
  return refused && text ? { status: "refused", node, note: { type: "error", text } } : undefined;
}

export class AdHocClient {
  readonly #xmpp: Client;
  readonly #timeoutMs: number;

  constructor(xmpp: Client, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.#xmpp = xmpp;
    this.#timeoutMs = timeoutMs;
  }

  /** The commands `to` lists, or undefined when it lists none or answers with an error (an older device). */
  async list(to: string): Promise<CommandItem[] | undefined> {
    let query: Element | undefined;
    try {
      query = await this.#xmpp.iqCaller.get(xml("query", { xmlns: NS.DISCO_ITEMS, node: NS.COMMANDS }), to, this.#timeoutMs);
    } catch (error) {
      const refused = this.#failure(error, "the list of commands");
      // Not allowed to list them is worth saying; not supporting them just means the help path.
      if (refused.condition === "forbidden" || refused.condition === "not-authorized") throw refused;
      return undefined;
    }
    const items = (query?.getChildren("item") ?? [])
      .filter((item) => item.attrs.node !== undefined)
      .map((item) => ({ node: String(item.attrs.node), name: String(item.attrs.name ?? item.attrs.node), jid: String(item.attrs.jid ?? to) }));
    return items.length > 0 ? items : undefined;
  }

  /** Starts `node`: its form to fill in, or (a command without one) its result at once. */
  async execute(to: string, node: string): Promise<CommandStep> {
    return this.#step(to, node, xml("command", { xmlns: NS.COMMANDS, node, action: "execute" }));
  }

  /** Submits the form of a session started by execute(); resolves with the result, or the form again with the device's reason. */
  async complete(to: string, step: Executing, values: FieldValues): Promise<CommandStep> {
    return this.#step(to, step.node, xml("command", { xmlns: NS.COMMANDS, node: step.node, sessionid: step.sessionid, action: "complete" }, submitDataForm(step.form, values)));
  }

  /** Ends a session whose form will not be submitted, so the device forgets it. */
  async cancel(to: string, step: Executing): Promise<void> {
    await this.#xmpp.iqCaller.set(xml("command", { xmlns: NS.COMMANDS, node: step.node, sessionid: step.sessionid, action: "cancel" }), to, this.#timeoutMs).catch(() => undefined);
  }

  async #step(to: string, node: string, command: Element): Promise<CommandStep> {
    let answer: Element;
    try {
      answer = await this.#xmpp.iqCaller.set(command, to, this.#timeoutMs);
    } catch (error) {
      const refused = refusalStep(error, node);
      if (refused !== undefined) return refused;
      throw this.#failure(error, node);
    }
    return readStep(answer, node);
  }

  #failure(error: unknown, what: string): CommandFailure {
    const { condition, text, name, message } = error as { condition?: string; text?: string; name?: string; message?: string };
    if (name === "TimeoutError") return new CommandFailure(`no answer to ${what} within ${this.#timeoutMs / 1000} s: is the device online?`, "timeout");
    if (condition !== undefined) return new CommandFailure(`the device refused ${what}: ${condition}${text ? ` (${text})` : ""}`, condition);
    return new CommandFailure(`${what} failed: ${message ?? String(error)}`, "failed");
  }
}

function readNote(command: Element): Note | undefined {
  const note = command.getChild("note");
  if (note === undefined) return undefined;
  const type = note.attrs.type === "warn" || note.attrs.type === "error" ? note.attrs.type : "info";
  return { type, text: note.getText() };
}

/** One `<command/>` answer read into a step; throws CommandFailure for an answer that is not one. */
export function readStep(command: Element | undefined, node: string): CommandStep {
  if (command === undefined) throw new CommandFailure("the device answered without a <command/>", "bad-answer");
  const status = command.attrs.status;
  const note = readNote(command);
  if (status === "executing") {
    const x = command.getChild("x", NS.DATA_FORMS);
    if (x === undefined) throw new CommandFailure(`the device asks for input to ${node} but sent no form`, "bad-answer");
    return { status, node, sessionid: String(command.attrs.sessionid ?? ""), form: readDataForm(x), note };
  }
  if (status === "completed" || status === "canceled") return { status, node, note };
  throw new CommandFailure(`the device answered ${node} with status "${status ?? ""}"`, "bad-answer");
}
