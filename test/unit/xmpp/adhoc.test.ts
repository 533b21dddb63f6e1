// Ad-hoc commands (XEP-0050) on a client: the commands node in disco#items, execute -> form ->
// complete, commands without a form, cancel, sessions (unknown, someone else's, expired on
// the fake clock, too many), the refusals, and the policy that decides who may use them.

import type { Element } from "ltx";
import { assert } from "../../support/assert.js";
import { FakeHost, settle } from "../../support/fake-host.js";
import { XmppTestServer } from "../../support/xmpp-server.js";
import { AdHocCommands, type AdHocOptions } from "../../../src/xmpp/adhoc.js";
import { Client } from "../../../src/xmpp/client.js";
import type { SubmittedValues } from "../../../src/xmpp/dataforms.js";
import { COMMANDS, OWNER, command, iq as sendIq, refusal } from "../../support/adhoc.js";

const STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

async function online(options: Partial<AdHocOptions> = {}) {
  const server = new XmppTestServer({ mechanisms: ["PLAIN"] });
  const host = new FakeHost({ server: server.connection });
  const client = new Client({ host, jid: "device@hub.test/dev", password: "secret" });
  const runs: { values: SubmittedValues; from: string }[] = [];
  const asked: string[] = [];
  const commands = new AdHocCommands({
    host,
    jid: () => client.jid!.toString(),
    allowed: (from, what) => {
      asked.push(what);
      return from.bare.toString() === "owner@hub.test";
    },
    ...options,
  });
  commands.add({
    node: "LEVEL",
    name: "Set the level",
    form: () => ({ title: "Level", fields: [{ var: "level", type: "text-single", required: true }] }),
    run: async (values, from) => {
      runs.push({ values, from: from.toString() });
      const level = values.get("level")?.[0] ?? "none";
      return level === "99" ? { type: "error", text: "error: level must be at most 10, got 99" } : { type: "info", text: `ok: level ${level}` };
    },
  });
  commands.add({
    node: "NOW",
    name: "At once",
    form: () => undefined,
    run: async (values, from) => {
      runs.push({ values, from: from.toString() });
      return { type: "error", text: "error: it failed" };
    },
  });
  commands.register(client);
  await client.start();
  await settle();
  server.stanzas.length = 0;
  return { server, host, client, commands, runs, asked };
}

/** Sends an iq from `from` and returns the device's answer to it. */
function iq(server: XmppTestServer, payload: string, options: { from?: string; type?: string } = {}): Promise<Element> {
  return sendIq(server, "device@hub.test/dev", payload, { ...options });
}

/** "bad-request bad-sessionid" for an error answer. */
function conditions(answer: Element): string {
  assert.equal(answer.attrs.type, "error", `an error, got ${answer.toString()}`);
  const error = answer.getChild("error")!;
  const stanza = error.getChildElements().find((child) => child.attrs.xmlns === STANZAS && child.name !== "text")!;
  const specific = error.getChildElements().find((child) => child.attrs.xmlns === COMMANDS);
  return [error.attrs.type, stanza.name, specific?.name].filter(Boolean).join(" ");
}

async function execute(server: XmppTestServer, node: string, from = OWNER): Promise<string> {
  const answer = command(await iq(server, `<command xmlns='${COMMANDS}' node='${node}' action='execute'/>`, { from }));
  return answer.attrs.sessionid!;
}

function submit(node: string, sessionid: string, level: string, action = "complete"): string {
  return `<command xmlns='${COMMANDS}' node='${node}' sessionid='${sessionid}' action='${action}'><x xmlns='jabber:x:data' type='submit'><field var='level'><value>${level}</value></field></x></command>`;
}

describe("ad-hoc commands", () => {
  it("announces commands, data forms and disco#items in disco#info", async () => {
    const { server } = await online();
    const answer = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#info'/>`, { type: "get" });
    const features = answer.getChild("query")!.getChildren("feature").map((feature) => feature.attrs.var);
    for (const feature of [COMMANDS, "jabber:x:data", "http://jabber.org/protocol/disco#items"]) assert.ok(features.includes(feature), `${feature} in ${features.join(" ")}`);
  });

  it("lists every command under the commands node, with our full JID, to an allowed requester", async () => {
    const { server, asked } = await online();
    const answer = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='${COMMANDS}'/>`, { type: "get" });
    assert.equal(answer.attrs.type, "result");
    const query = answer.getChild("query", "http://jabber.org/protocol/disco#items")!;
    assert.equal(query.attrs.node, COMMANDS);
    assert.deepEqual(query.getChildren("item").map((item) => ({ ...item.attrs })), [
      { jid: "device@hub.test/dev", node: "LEVEL", name: "Set the level" },
      { jid: "device@hub.test/dev", node: "NOW", name: "At once" },
    ]);
    assert.deepEqual(asked, ["the list of commands"]);
  });

  it("answers disco#items for the entity itself with no items, and item-not-found for other nodes", async () => {
    const { server } = await online();
    const root = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items'/>`, { type: "get" });
    assert.equal(root.attrs.type, "result");
    assert.equal(root.getChild("query")!.getChildElements().length, 0);
    const other = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='elsewhere'/>`, { type: "get" });
    assert.equal(conditions(other), "cancel item-not-found");
  });

  it("refuses the list and every command to a requester the policy rejects, running nothing", async () => {
    const { server, runs } = await online();
    const stranger = "stranger@hub.test/x";
    const list = await iq(server, `<query xmlns='http://jabber.org/protocol/disco#items' node='${COMMANDS}'/>`, { type: "get", from: stranger });
    assert.equal(conditions(list), "auth forbidden");
    for (const node of ["LEVEL", "NOW"]) {
      const answer = await iq(server, `<command xmlns='${COMMANDS}' node='${node}' action='execute'/>`, { from: stranger });
      assert.equal(conditions(answer), "auth forbidden");
    }
    assert.deepEqual(runs, []);
  });

  it("executes a command with a form: executing with the form, then completed with the note", async () => {
    const { server, runs } = await online();
    // No action attribute means execute.
    const first = command(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL'/>`));
    assert.equal(first.attrs.status, "executing");
    assert.equal(first.attrs.node, "LEVEL");
    assert.match(first.attrs.sessionid ?? "", /^[0-9a-f]{16}$/);
    assert.equal(first.getChild("actions")?.toString(), `<actions execute="complete"><complete/></actions>`);
    const form = first.getChild("x", "jabber:x:data")!;
    assert.equal(form.attrs.type, "form");
    assert.equal(form.getChildText("title"), "Level");
    assert.deepEqual(runs, [], "nothing runs before the form comes back");

    const done = command(await iq(server, submit("LEVEL", first.attrs.sessionid!, "7")));
    assert.deepEqual({ ...done.attrs }, { xmlns: COMMANDS, node: "LEVEL", sessionid: first.attrs.sessionid!, status: "completed" });
    assert.equal(done.getChild("note")?.toString(), `<note type="info">ok: level 7</note>`);
    assert.deepEqual(runs.map((run) => [[...run.values.entries()], run.from]), [[[["level", ["7"]]], OWNER]]);
  });

  it("answers a refused submission with bad-request bad-payload whose text is the command's reason, and ends the session", async () => {
    const { server, runs, commands } = await online();
    const session = await execute(server, "LEVEL");
    const answer = await iq(server, submit("LEVEL", session, "99"));
    assert.deepEqual(refusal(answer), { type: "modify", condition: "bad-request", specific: "bad-payload", text: "error: level must be at most 10, got 99" });
    // The request's command beside the error, naming the session (slixmpp finds its handlers by it); not completed.
    assert.deepEqual({ ...answer.getChild("command", COMMANDS)?.attrs }, { xmlns: COMMANDS, node: "LEVEL", sessionid: session });
    assert.equal(runs.length, 1);
    assert.equal(commands.sessionCount, 0);
  });

  it("takes the form with action execute as well as complete", async () => {
    const { server } = await online();
    const session = await execute(server, "LEVEL");
    const done = command(await iq(server, submit("LEVEL", session, "3", "execute")));
    assert.equal(done.attrs.status, "completed");
    assert.equal(done.getChildText("note"), "ok: level 3");
  });

  it("runs a command without a form at once; its refusal (an error note) is an iq error not-acceptable with the note's text", async () => {
    const { server, runs } = await online();
    const answer = await iq(server, `<command xmlns='${COMMANDS}' node='NOW' action='execute'/>`);
    assert.deepEqual(refusal(answer), { type: "cancel", condition: "not-acceptable", specific: undefined, text: "error: it failed" });
    assert.equal(runs.length, 1);
  });

  it("cancels a session: canceled, nothing run, and the session is gone", async () => {
    const { server, runs, commands } = await online();
    const session = await execute(server, "LEVEL");
    const canceled = command(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL' sessionid='${session}' action='cancel'/>`));
    assert.equal(canceled.attrs.status, "canceled");
    assert.equal(commands.sessionCount, 0);
    assert.equal(conditions(await iq(server, submit("LEVEL", session, "7"))), "modify bad-request bad-sessionid");
    assert.deepEqual(runs, []);
  });

  it("refuses an unknown session id, and a session of another command or of another requester", async () => {
    const { server, runs } = await online();
    assert.equal(conditions(await iq(server, submit("LEVEL", "0123456789abcdef", "7"))), "modify bad-request bad-sessionid");
    const session = await execute(server, "LEVEL");
    assert.equal(conditions(await iq(server, submit("NOW", session, "7"))), "modify bad-request bad-sessionid");
    assert.equal(conditions(await iq(server, submit("LEVEL", session, "7"), { from: "owner@hub.test/laptop" })), "modify bad-request bad-sessionid");
    assert.equal(command(await iq(server, submit("LEVEL", session, "7"))).attrs.status, "completed", "the session survived the attempts");
    assert.equal(runs.length, 1);
  });

  it("forgets a session 10 minutes after it started, not before", async () => {
    const { server, host, commands } = await online();
    const early = await execute(server, "LEVEL");
    host.clock.advance(10 * 60_000 - 1);
    assert.equal(command(await iq(server, submit("LEVEL", early, "1"))).attrs.status, "completed");
    const late = await execute(server, "LEVEL");
    host.clock.advance(10 * 60_000);
    assert.equal(commands.sessionCount, 0);
    assert.equal(conditions(await iq(server, submit("LEVEL", late, "1"))), "modify bad-request bad-sessionid");
  });

  it("keeps at most maxSessions sessions, pushing out the oldest", async () => {
    const { server, commands } = await online({ maxSessions: 2 });
    const sessions = [await execute(server, "LEVEL"), await execute(server, "LEVEL"), await execute(server, "LEVEL")];
    assert.equal(commands.sessionCount, 2);
    assert.equal(conditions(await iq(server, submit("LEVEL", sessions[0]!, "1"))), "modify bad-request bad-sessionid");
    assert.equal(command(await iq(server, submit("LEVEL", sessions[2]!, "1"))).attrs.status, "completed");
  });

  it("forgets every session on clear()", async () => {
    const { server, commands } = await online();
    const session = await execute(server, "LEVEL");
    commands.clear();
    assert.equal(commands.sessionCount, 0);
    assert.equal(conditions(await iq(server, submit("LEVEL", session, "1"))), "modify bad-request bad-sessionid");
  });

  it("refuses what XEP-0050 does not allow here, with its conditions", async () => {
    const { server, runs } = await online();
    assert.equal(conditions(await iq(server, `<command xmlns='${COMMANDS}' node='BAKE'/>`)), "cancel item-not-found");
    assert.equal(conditions(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL' action='jump'/>`)), "modify bad-request malformed-action");
    assert.equal(conditions(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL' action='complete'/>`)), "modify bad-request bad-sessionid");
    assert.equal(conditions(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL'/>`, { type: "get" })), "modify bad-request");
    const session = await execute(server, "LEVEL");
    assert.equal(conditions(await iq(server, `<command xmlns='${COMMANDS}' node='LEVEL' sessionid='${session}' action='next'/>`)), "modify bad-request bad-action");
    const notSubmit = `<command xmlns='${COMMANDS}' node='LEVEL' sessionid='${session}' action='complete'><x xmlns='jabber:x:data' type='result'/></command>`;
    assert.equal(conditions(await iq(server, notSubmit)), "modify bad-request bad-payload");
    assert.deepEqual(runs, []);
    assert.equal(command(await iq(server, submit("LEVEL", session, "2"))).attrs.status, "completed", "a refused step leaves the session open");
  });

  it("refuses a second command with the same node", async () => {
    const { commands } = await online();
    assert.throws(() => commands.add({ node: "NOW", name: "again", form: () => undefined, run: async () => ({ type: "info", text: "" }) }), /already registered/);
  });
});
