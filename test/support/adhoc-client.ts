// Running a device's ad-hoc command (XEP-0050) from an @xmpp/client peer, as an owner's client
// does: execute it, then complete its form with the values given.

import { xml, type Client } from "@xmpp/client";
import type { Element } from "ltx";

export const COMMANDS = "http://jabber.org/protocol/commands";

/** Field values by name; a list is one <value/> per entry (a text-multi field). */
export type FormValues = Readonly<Record<string, string | readonly string[]>>;

export interface RunCommandOptions {
  /** For the completion, which may take the device a while (a download); default 10 s. */
  timeoutMs?: number;
  /** Sees the form the device answered the execute with, before it is completed. */
  checkForm?(command: Element): void;
}

/**
 * Runs `node` at `to` as `client` with `values`: resolves with the note of the completed command,
 * or "refused: <condition> <text>" when the device refuses either request (a stranger, a bad field).
 */
export async function runCommand(client: Client, to: string, node: string, values: FormValues, options: RunCommandOptions = {}): Promise<string> {
  const refused = (error: unknown): string => {
    const stanzaError = error as { condition?: string; text?: string; message?: string };
    if (stanzaError.condition === undefined) throw error;
    return `refused: ${stanzaError.condition} ${stanzaError.text ?? stanzaError.message ?? ""}`.trim();
  };
  let command: Element;
  try {
    const executing = await client.iqCaller.request(xml("iq", { type: "set", to }, xml("command", { xmlns: COMMANDS, node, action: "execute" })), 10_000);
    command = executing.getChild("command", COMMANDS)!;
  } catch (error) {
    return refused(error);
  }
  options.checkForm?.(command);
  const fields = Object.entries(values).map(([name, value]) => xml("field", { var: name }, ...(typeof value === "string" ? [value] : value).map((line) => xml("value", {}, line))));
  const submit = xml("command", { xmlns: COMMANDS, node, sessionid: command.attrs.sessionid as string, action: "complete" }, xml("x", { xmlns: "jabber:x:data", type: "submit" }, ...fields));
  try {
    const done = await client.iqCaller.request(xml("iq", { type: "set", to }, submit), options.timeoutMs ?? 10_000);
    return done.getChild("command", COMMANDS)!.getChildText("note") ?? "";
  } catch (error) {
    return refused(error);
  }
}
