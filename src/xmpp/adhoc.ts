// Ad-hoc commands (XEP-0050), the protocol side: the commands listed through disco#items, and
// execute -> form -> complete (or cancel) in sessions that expire, for requesters a policy allows.
// A refusal (a note of type error) is an iq error whose text is the device's reply: Gajim 1.7,
// Profanity 0.13 and slixmpp 1.8 show a completed command as done whatever its note says.

import { createElement as xml, type Element } from "ltx";
import type { Host, TimerHandle } from "../host.js";
import { formElement, submittedValues, type Form, type SubmittedValues } from "./dataforms.js";
import { discoItems, type DiscoItem } from "./disco.js";
import { StanzaError } from "./error.js";
import type { IqHandler } from "./iq.js";
import { Jid } from "./jid.js";
import { NS } from "./namespaces.js";

export interface Note {
  readonly type: "info" | "warn" | "error";
  readonly text: string;
}

/** One command: its node (unique), its name in lists, the form it asks for, and what it does. */
export interface AdHocCommand {
  readonly node: string;
  readonly name: string;
  /** The form to fill in before it runs; undefined: it runs at once when executed. */
  form(): Form | undefined;
  /** Carries the command out with the submitted values (none for a command without a form). */
  run(values: SubmittedValues, from: Jid): Promise<Note>;
}

export interface AdHocOptions {
  host: Pick<Host, "setTimeout" | "clearTimeout" | "randomBytes">;
  /** Our full JID, named in the items list. */
  jid(): string;
  /** Whether `from` may list and execute commands; `what` names the request, for a log. */
  allowed(from: Jid, what: string): boolean;
  /** A session not completed within this time is forgotten (default 10 min). */
  sessionTimeoutMs?: number;
  /** Sessions kept at most; a new one pushes out the oldest (default 8). */
  maxSessions?: number;
}

/** Where the commands are answered: the Client. */
export interface CommandHost {
  handleIq(name: string, namespace: string, handler: IqHandler): void;
  addFeature(feature: string): void;
}

interface Session {
  readonly command: AdHocCommand;
  /** The full JID that started it: nobody else may continue it. */
  readonly owner: string;
  readonly timer: TimerHandle;
}

const DEFAULT_SESSION_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_MAX_SESSIONS = 8;

/** An iq error with a XEP-0050 condition next to the stanza condition (and the command it ends, when known). */
function commandError(condition: string, specific: string, text: string, command?: Element): StanzaError {
  return new StanzaError(condition, text, "modify", xml(specific, { xmlns: NS.COMMANDS }), command);
}

export class AdHocCommands {
  readonly #options: AdHocOptions;
  readonly #commands = new Map<string, AdHocCommand>();
  readonly #sessions = new Map<string, Session>();

  constructor(options: AdHocOptions) {
    this.#options = options;
  }

  add(command: AdHocCommand): void {
    if (this.#commands.has(command.node)) throw new Error(`an ad-hoc command with node "${command.node}" is already registered`);
    this.#commands.set(command.node, command);
  }

  /** Withdraws a command; a session of it still open can no longer be completed. */
  remove(node: string): void {
    this.#commands.delete(node);
  }

  /** The items of the commands node, as disco#items lists them. */
  items(): DiscoItem[] {
    const jid = this.#options.jid();
    return [...this.#commands.values()].map((command) => ({ jid, node: command.node, name: command.name }));
  }

  /** Answers disco#items and `<command/>` on `client`, and announces data forms. */
  register(client: CommandHost): void {
    client.handleIq("query", NS.DISCO_ITEMS, this.#listHandler);
    client.handleIq("command", NS.COMMANDS, this.#commandHandler);
    client.addFeature(NS.DATA_FORMS);
  }

  /** disco#items: the commands node for allowed requesters, an empty list for the entity itself. */
  readonly #listHandler: IqHandler = discoItems((request, node) => {
    if (node === undefined) return [];
    if (node !== NS.COMMANDS) return undefined;
    this.#check(request, "the list of commands");
    return this.items();
  });

  /** `<command xmlns='http://jabber.org/protocol/commands'/>`: execute, complete, cancel. */
  readonly #commandHandler: IqHandler = async (request, payload) => {
    if (request.attrs.type !== "set") throw new StanzaError("bad-request", "an ad-hoc command is executed with an iq set", "modify");
    const node = payload.attrs.node ?? "";
    const from = this.#check(request, `command ${node}`);
    const command = this.#commands.get(node);
    if (!command) throw new StanzaError("item-not-found", `no command "${node}" here`, "cancel");
    const action = payload.attrs.action ?? "execute";
    const sessionId = payload.attrs.sessionid;
    if (!["execute", "complete", "cancel", "next", "prev"].includes(action)) {
      throw commandError("bad-request", "malformed-action", `unknown action "${action}"`);
    }

    if (sessionId === undefined) {
      if (action !== "execute") throw commandError("bad-request", "bad-sessionid", `action "${action}" needs the sessionid of an executing command`);
      const form = command.form();
      if (form === undefined) return this.#completed(command, this.#newSessionId(), await command.run(new Map(), from), false);
      const id = this.#open(command, from);
      return xml(
        "command",
        { xmlns: NS.COMMANDS, node, sessionid: id, status: "executing" },
        xml("actions", { execute: "complete" }, xml("complete", {})),
        formElement(form),
      );
    }

    const session = this.#sessions.get(sessionId);
    if (!session || session.command !== command || session.owner !== from.toString()) {
      throw commandError("bad-request", "bad-sessionid", `no session "${sessionId}" of command ${node} for ${from}; it may have expired: execute the command again`);
    }
    if (action === "next" || action === "prev") throw commandError("bad-request", "bad-action", `${node} has a single stage: complete or cancel it`);
    if (action === "cancel") {
      this.#close(sessionId);
      return xml("command", { xmlns: NS.COMMANDS, node, sessionid: sessionId, status: "canceled" });
    }
    const x = payload.getChild("x", NS.DATA_FORMS);
    if (x && x.attrs.type !== "submit") throw commandError("bad-request", "bad-payload", `the form must be of type submit, not "${x.attrs.type ?? ""}"`);
    this.#close(sessionId);
    return this.#completed(command, sessionId, await command.run(x ? submittedValues(x) : new Map(), from), true);
  };

  /** Forgets every session (and its timer): the connection is gone or the device stops. */
  clear(): void {
    for (const id of [...this.#sessions.keys()]) this.#close(id);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** The requester, if the policy allows them; forbidden otherwise. */
  #check(request: Element, what: string): Jid {
    let from: Jid | undefined;
    try {
      from = request.attrs.from === undefined ? undefined : Jid.parse(request.attrs.from);
    } catch {
      from = undefined;
    }
    if (!from || !this.#options.allowed(from, what)) {
      throw new StanzaError("forbidden", `${from?.bare.toString() ?? "an unknown sender"} may not use the commands of this device`, "auth");
    }
    return from;
  }

  /** The answer to a command that ran: completed with its note, or the refusal as an iq error
   * (bad-payload when it refused the values submitted). */
  #completed(command: AdHocCommand, sessionId: string, note: Note, submitted: boolean): Element {
    if (note.type === "error") {
      // The command element names the session: slixmpp finds the requester's handlers by it and
      // otherwise drops the error unseen.
      const ended = xml("command", { xmlns: NS.COMMANDS, node: command.node, sessionid: sessionId });
      throw submitted ? commandError("bad-request", "bad-payload", note.text, ended) : new StanzaError("not-acceptable", note.text, "cancel", undefined, ended);
    }
    return xml(
      "command",
      { xmlns: NS.COMMANDS, node: command.node, sessionid: sessionId, status: "completed" },
      xml("note", { type: note.type }, note.text),
    );
  }

  #open(command: AdHocCommand, from: Jid): string {
    const max = this.#options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    // Abandoned forms must not grow memory on a small device: the oldest session goes first.
    while (this.#sessions.size >= max) this.#close(this.#sessions.keys().next().value!);
    const id = this.#newSessionId();
    const host = this.#options.host;
    const timer = host.setTimeout(() => this.#sessions.delete(id), this.#options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS);
    this.#sessions.set(id, { command, owner: from.toString(), timer });
    return id;
  }

  #close(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#options.host.clearTimeout(session.timer);
    this.#sessions.delete(id);
  }

  #newSessionId(): string {
    let id = "";
    for (const byte of this.#options.host.randomBytes(8)) id += byte.toString(16).padStart(2, "0");
    return id;
  }
}
