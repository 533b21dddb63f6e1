// Where a command's account password comes from when it is not to be seen in `ps`: the
// environment (XMPP_PASSWORD) or a file (xmpp_password_file=PATH), turned into the
// `xmpp_password=` setting every command already reads. A password given on the command line
// still works (it is the firmware's own key), but the demo and the printed lines never use it.

import { readFileSync } from "node:fs";
import { ConfigError } from "../../src/app/config.js";

export const PASSWORD_ENV = "XMPP_PASSWORD";
const FILE_KEY = "xmpp_password_file=";
const KEY = "xmpp_password=";

/** `args` with `xmpp_password_file=` read and, when no password is given, XMPP_PASSWORD added. */
export function withPassword(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  let given = false;
  for (const argument of args) {
    if (argument.startsWith(FILE_KEY)) {
      const path = argument.slice(FILE_KEY.length);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (error) {
        throw new ConfigError("xmpp_password_file", `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const password = text.replace(/\r?\n$/, "");
      if (password === "") throw new ConfigError("xmpp_password_file", `${path} is empty; it holds the account's password on its first line`);
      out.push(`${KEY}${password}`);
      given = true;
    } else {
      if (argument.startsWith(KEY)) given = true;
      out.push(argument);
    }
  }
  const fromEnv = env[PASSWORD_ENV];
  if (!given && fromEnv !== undefined && fromEnv !== "") out.push(`${KEY}${fromEnv}`);
  return out;
}
