// The terminal controller's command line: a command, its words, `key=value` settings and flags.

import { editDistance } from "../../../src/device/declaration-reader.js";

export const COMMANDS = ["devices", "add", "help", "send"] as const;
export type CommandName = (typeof COMMANDS)[number];

export const SETTING_KEYS = ["jid", "xmpp_password", "server", "ca", "timeout", "wait"] as const;

export const USAGE = `usage: npm run ctl -- <command> [key=value ...]
  devices [TEXT] [--json]     your roster's contacts: online or not, device with commands or not, status;
                              with TEXT, only those whose JID contains it (a thousand devices: devices fleet-001)
  add <device>                subscribe to a device's presence (once per device; the device approves its owners)
  help <device>               print the device's instruction set
  send <device> <command...>  send a command, print the reply, wait for the delivery receipt
<device> is a bare JID (microwave@hub.test) or a name on your own domain (microwave).
keys: jid, xmpp_password, server, ca (as for a device, with the owner's account),
      timeout (s to wait for a reply and receipt, default 15), wait (s to wait for presence, default 3)
exit: 0 done (reply not "error"), 1 the device answered "error", 2 usage or settings,
      3 no reply or receipt in time, 4 the device is offline or not in your roster, 5 cannot log in to the hub`;

/** The command line does not make sense; the message says why and the caller adds USAGE. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CommandLine {
  readonly command: CommandName;
  /** The words after the command: the device, then (for send) the command text. */
  readonly words: readonly string[];
  readonly settings: Readonly<Record<string, string>>;
  readonly json: boolean;
}

// Device commands are upper-case opcodes and operands, so a lower-case `word=` is always a setting.
const SETTING = /^([a-z][a-z0-9_]*)=(.*)$/s;

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const settings: Record<string, string> = {};
  const words: string[] = [];
  let json = false;
  for (const argument of argv) {
    const setting = SETTING.exec(argument);
    if (setting) {
      const [, key, value] = setting as unknown as [string, string, string];
      if (!(SETTING_KEYS as readonly string[]).includes(key)) throw new UsageError(`unknown key "${key}"${suggest(key)}; the keys are ${SETTING_KEYS.join(", ")}`);
      settings[key] = value;
    } else if (argument === "--json") json = true;
    else if (argument.startsWith("--") && words.length < 2) throw new UsageError(`unknown option ${argument}`);
    else words.push(argument);
  }
  const [command, ...rest] = words;
  if (command === undefined) throw new UsageError("no command given");
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`unknown command "${command}"; the commands are ${COMMANDS.join(", ")}`);
  const name = command as CommandName;
  if (json && name !== "devices") throw new UsageError(`--json goes with devices only`);
  if (name === "devices" && rest.length > 1) throw new UsageError(`devices takes at most one word (text the JIDs listed contain), got "${rest.join(" ")}"`);
  if (name !== "devices" && rest.length === 0) throw new UsageError(`${name} needs a device, e.g. ${name} microwave${name === "send" ? " PREHEAT 350 20" : ""}`);
  if ((name === "add" || name === "help") && rest.length > 1) throw new UsageError(`${name} takes one device, got "${rest.join(" ")}"`);
  if (name === "send" && rest.length < 2) throw new UsageError(`send needs a command after the device, e.g. send ${rest[0]} status`);
  return { command: name, words: rest, settings, json };
}

function suggest(key: string): string {
  const close = SETTING_KEYS.find((known) => editDistance(known, key) <= 2);
  return close === undefined ? "" : ` (did you mean ${close}?)`;
}

