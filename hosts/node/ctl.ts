// `npm run ctl -- devices | add <device> | help <device> | send <device> <command...>`: the
// terminal controller. Logs in as an owner, prints results on stdout and diagnostics on stderr,
// and tells scripts how it went in its exit code (controller/exit-codes.ts).

import { randomBytes } from "node:crypto";
import { ConfigError } from "../../src/app/config.js";
import { USAGE, UsageError, parseCommandLine, type CommandLine } from "./controller/arguments.js";
import { addDevice, listDevices, sendCommand, type Output } from "./controller/commands.js";
import { EXIT } from "./controller/exit-codes.js";
import { LoginError } from "./controller/login.js";
import { Session } from "./controller/session.js";
import { readControllerSettings, type ControllerSettings } from "./controller/settings.js";
import { resolveDevice } from "./controller/target.js";
import { asksForHelp } from "./help-flag.js";
import { withPassword } from "./password-source.js";

const output: Output = {
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: string[]): Promise<number> {
  if ((argv.length === 1 && argv[0] === "help") || asksForHelp(argv)) {
    output.out(`${USAGE}\n`);
    return EXIT.done;
  }
  let line: CommandLine;
  let settings: ControllerSettings;
  try {
    line = parseCommandLine(withPassword(argv));
    // A resource of its own per run: two runs side by side must not end each other's session.
    settings = readControllerSettings(line.settings, `ctl-${randomBytes(3).toString("hex")}`);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`error: ${error.message}\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      output.err(`error: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  let device;
  try {
    device = line.command === "devices" ? undefined : resolveDevice(line.words[0]!, settings.jid.domain);
  } catch (error) {
    output.err(`error: ${(error as Error).message}`);
    return EXIT.usage;
  }
  let session: Session;
  try {
    session = await Session.open(settings, (warning) => output.err(`warning: ${warning}`));
  } catch (error) {
    if (error instanceof LoginError) {
      output.err(`error: ${error.message}`);
      return EXIT.login;
    }
    throw error;
  }
  try {
    switch (line.command) {
      case "devices":
        return await listDevices(session, output, line.json ? "json" : process.stdout.isTTY ? "aligned" : "tsv", line.words[0]);
      case "add":
        return await addDevice(session, device!, output);
      case "help":
        return await sendCommand(session, device!, "help", output);
      case "send":
        return await sendCommand(session, device!, line.words.slice(1).join(" "), output);
    }
  } finally {
    await session.close();
  }
}

// Exits once stdout has drained: a script may be reading it through a pipe.
const exit = (code: number) => process.stdout.write("", () => process.exit(code));

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  // Past the settings, what fails is the hub connection (an iq that times out, a dropped stream).
  output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  exit(EXIT.login);
});
