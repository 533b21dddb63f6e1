// What each controller command does once logged in: list the roster's devices, subscribe to
// one, and send one a command (help is the command "help"). Each returns its exit code.

import { preferred } from "../../../owner/presence-book.js";
import { seesPresence } from "../../../owner/roster.js";
import type { Jid } from "../../../src/xmpp/jid.js";
import { type ContactRow, formatJson, formatTable } from "./device-table.js";
import { EXIT } from "./exit-codes.js";
import type { Session } from "./session.js";

export interface Output {
  /** Results, for scripts: stdout. */
  out(text: string): void;
  /** Diagnostics: stderr. */
  err(line: string): void;
}

export async function listDevices(session: Session, output: Output, format: "json" | "tsv" | "aligned", containing = ""): Promise<number> {
  const { roster, presence, capabilities } = session.owner;
  // Filtered before anything is asked: with a thousand devices in the roster, only the matching
  // ones are waited for and have their capabilities looked up.
  const wanted = containing.toLowerCase();
  const items = roster.items.filter((item) => item.jid.toLowerCase().includes(wanted));
  if (wanted !== "") output.err(`${items.length} of ${roster.items.length} contacts contain "${containing}"`);
  await session.waitForPresence(items.map((item) => item.jid));
  const rows: ContactRow[] = await Promise.all(
    items.map(async (item): Promise<ContactRow> => {
      const resources = presence.resources(item.jid);
      const answers = await Promise.all(resources.map((resource) => capabilities.hasCommands(resource)));
      return {
        jid: item.jid,
        state: resources.length > 0 ? "online" : seesPresence(item) ? "offline" : item.pending ? "pending" : "unsubscribed",
        commands: answers.includes(true),
        status: preferred(resources)?.status ?? "",
      };
    }),
  );
  output.out(format === "json" ? formatJson(rows) : formatTable(rows, format === "aligned"));
  for (const jid of presence.requests) {
    const item = roster.get(jid);
    if (item?.subscription === "from" || item?.subscription === "both") continue;
    output.err(`${jid} asks to see your presence; npm run ctl -- add ${jid} approves it and subscribes to it`);
  }
  return EXIT.done;
}

export async function addDevice(session: Session, device: Jid, output: Output): Promise<number> {
  const jid = device.bare.toString();
  const { timeoutMs } = session.settings;
  const { roster, presence } = session.owner;
  if (seesPresence(roster.get(jid))) {
    await session.owner.add(jid);
    output.out(`${jid}: subscribed already\n`);
    return EXIT.done;
  }
  const answer = new Promise<"subscribed" | "unsubscribed" | "timeout">((resolve) => {
    const finish = (result: "subscribed" | "unsubscribed" | "timeout") => {
      clearTimeout(timer);
      stopPresence();
      stopRoster();
      resolve(result);
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    const stopPresence = presence.onSubscription((from, event) => {
      if (from === jid && (event === "subscribed" || event === "unsubscribed")) finish(event);
    });
    const stopRoster = roster.onChange(() => {
      if (seesPresence(roster.get(jid))) finish("subscribed");
    });
  });
  await session.owner.add(jid);
  const result = await answer;
  if (result === "subscribed") {
    output.out(`${jid}: subscribed\n`);
    return EXIT.done;
  }
  if (result === "unsubscribed") {
    output.err(`error: ${jid} refused the subscription; a device approves its owners only: is ${session.settings.jid.bare} in its owner= setting?`);
    return EXIT.refused;
  }
  output.err(`error: ${jid} did not answer within ${timeoutMs / 1000} s; the request stays pending, and a device approves its owners when it comes online`);
  return EXIT.timeout;
}

export async function sendCommand(session: Session, device: Jid, text: string, output: Output): Promise<number> {
  const bare = device.bare.toString();
  const { roster, presence, messages } = session.owner;
  const item = roster.get(bare);
  if (!seesPresence(item)) {
    const why = item?.pending
      ? "it has not approved your subscription yet (a device approves its owners when it comes online)"
      : `you are not subscribed to its presence; run npm run ctl -- add ${bare} once (the device must list you in owner=)`;
    output.err(`error: cannot tell whether ${bare} is online: ${why}`);
    return EXIT.offline;
  }
  await session.waitForPresence([bare]);
  const resources = presence.resources(bare);
  const resource = device.resource === "" ? preferred(resources) : resources.find((r) => r.jid.toLowerCase() === device.toString().toLowerCase());
  if (resource === undefined) {
    output.err(`error: ${device} is offline (no presence within ${session.settings.waitMs / 1000} s)`);
    return EXIT.offline;
  }
  const { timeoutMs } = session.settings;
  const result = await messages.send(resource.jid, text).settled;
  // The device's own words come first, whatever went wrong after them.
  if (result.reply !== undefined) output.out(result.reply.endsWith("\n") ? result.reply : `${result.reply}\n`);
  if (result.failed !== undefined && result.delivered === false) {
    output.err(`error: ${result.failed}`);
    return EXIT.offline;
  }
  if (result.failed !== undefined && result.reply === undefined && /went offline/.test(result.failed)) {
    output.err(`error: ${result.failed}`);
    return EXIT.offline;
  }
  if (result.reply === undefined) {
    output.err(`error: no reply from ${resource.jid} within ${timeoutMs / 1000} s${result.received ? " (its receipt came)" : result.failed !== undefined && !result.failed.startsWith("no receipt") ? ` (${result.failed})` : ""}`);
    return EXIT.timeout;
  }
  if (!result.received) {
    output.err(`error: ${resource.jid} replied but sent no receipt within ${timeoutMs / 1000} s`);
    return EXIT.timeout;
  }
  output.err(`delivered: ${resource.jid} acknowledged "${text}"`);
  return /^error\b/i.test(result.reply) ? EXIT.refused : EXIT.done;
}
