// Ad-hoc commands (XEP-0050) from the controller's side: the list a device gives through
// disco#items, executing one to get its data form, and submitting the form for the result note.

import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";
import { readDataForm, submitDataForm, NS_DATA, type DataForm } from "./data-form.js";
import type { FieldValues } from "./instruction.js";

export const NS_COMMANDS = "http://jabber.org/protocol/commands";
const NS_ITEMS = "http://jabber.org/protocol/disco#items";
const TIMEOUT_MS = 15_000;

export interface CommandItem {
  readonly node: string;
  readonly name: string;
}

export interface Note {
  readonly type: string;
  readonly text: string;
}

/** Where a command stands after a step: a form to fill in, or done with a note. */
export type CommandStep =
  | { readonly status: "executing"; readonly node: string; readonly sessionid: string; readonly form: DataForm }
  | { readonly status: "completed" | "canceled"; readonly node: string; readonly note: Note | undefined };

/** Why a step failed: the device's iq error or no answer. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  constructor(message: string, readonly condition: string) {
    super(message);
  }
}

function failure(error: unknown, what: string): CommandFailure {
  const { condition, text, name, message } = error as { condition?: string; text?: string; name?: string; message?: string };
  if (name === "TimeoutError") return new CommandFailure(`no answer to ${what} within ${TIMEOUT_MS / 1000} s: is the device online?`, "timeout");
  if (condition !== undefined) return new CommandFailure(`the device refused ${what}: ${condition}${text ? ` (${text})` : ""}`, condition);
  return new CommandFailure(`${what} failed: ${message ?? String(error)}`, "failed");
}

/** The commands `to` lists, or undefined when it lists none or answers with an error (an older device). */
export async function listCommands(client: Client, to: string): Promise<CommandItem[] | undefined> {
  let query: Element | undefined;
  try {
    query = await client.iqCaller.get(xml("query", { xmlns: NS_ITEMS, node: NS_COMMANDS }), to, TIMEOUT_MS);
  } catch (error) {
    const refused = failure(error, "the list of commands");
    // Not allowed to list them is worth saying; not supporting them just means the help path.
    if (refused.condition === "forbidden" || refused.condition === "not-authorized") throw refused;
    return undefined;
  }
  const items = (query?.getChildren("item") ?? [])
    .filter((item) => item.attrs.node !== undefined)
    .map((item) => ({ node: item.attrs.node!, name: item.attrs.name ?? item.attrs.node! }));
  return items.length > 0 ? items : undefined;
}

function readStep(command: Element | undefined, node: string): CommandStep {
  if (command === undefined) throw new CommandFailure("the device answered without a <command/>", "bad-answer");
  const status = command.attrs.status;
  if (status === "executing") {
    const x = command.getChild("x", NS_DATA);
    if (x === undefined) throw new CommandFailure(`the device asks for input to ${node} but sent no form`, "bad-answer");
    return { status, node, sessionid: command.attrs.sessionid ?? "", form: readDataForm(x) };
  }
  if (status === "completed" || status === "canceled") {
    const note = command.getChild("note");
    return { status, node, note: note === undefined ? undefined : { type: note.attrs.type ?? "info", text: note.getText() } };
  }
  throw new CommandFailure(`the device answered ${node} with status "${status ?? ""}"`, "bad-answer");
}

/** Starts `node`: its form to fill in, or (a command without one) its result at once. */
export async function executeCommand(client: Client, to: string, node: string): Promise<CommandStep> {
  try {
    return readStep(await client.iqCaller.set(xml("command", { xmlns: NS_COMMANDS, node, action: "execute" }), to, TIMEOUT_MS), node);
  } catch (error) {
    throw error instanceof CommandFailure ? error : failure(error, node);
  }
}

/** Submits the form of a session started by executeCommand; resolves with the result note. */
export async function completeCommand(client: Client, to: string, step: Extract<CommandStep, { status: "executing" }>, values: FieldValues): Promise<CommandStep> {
  const command = xml("command", { xmlns: NS_COMMANDS, node: step.node, sessionid: step.sessionid, action: "complete" }, submitDataForm(step.form, values));
  try {
    return readStep(await client.iqCaller.set(command, to, TIMEOUT_MS), step.node);
  } catch (error) {
    throw error instanceof CommandFailure ? error : failure(error, step.node);
  }
}

/** Ends a session whose form will not be submitted, so the device forgets it. */
export async function cancelCommand(client: Client, to: string, step: Extract<CommandStep, { status: "executing" }>): Promise<void> {
  await client.iqCaller.set(xml("command", { xmlns: NS_COMMANDS, node: step.node, sessionid: step.sessionid, action: "cancel" }), to, TIMEOUT_MS).catch(() => undefined);
}
