// The dashboard page: log in as an owner over the hub's WebSocket endpoint, then the devices
// list and, for the selected device, its state, its instruction set as forms, the delivery of
// each command and the plain chat.

import { OwnerClient } from "../owner/owner-client.js";
import { ChatView } from "./chat-view.js";
import { accountJid } from "./connection.js";
import { Contacts } from "./contacts.js";
import { Conversation } from "./conversation.js";
import { Deliveries } from "./deliveries.js";
import { DeliveryLogView } from "./delivery-log-view.js";
import { DeviceListView } from "./device-list-view.js";
import { byId } from "./dom.js";
import { InstructionSets } from "./instruction-sets.js";
import { InstructionsView } from "./instructions-view.js";
import { showLogin } from "./login-view.js";
import { StatePanelView } from "./state-panel-view.js";

async function main(): Promise<void> {
  const { client, details } = await showLogin();
  const own = client.jid!.toString();
  const domain = accountJid(details.jid, details.domain).domain;
  byId("login").hidden = true;
  byId("dashboard").hidden = false;
  const session = byId("session");
  session.textContent = `${own}: online`;
  client.on("status", (status: string) => {
    session.textContent = `${own}: ${status === "online" ? "online" : status === "disconnect" ? "connection lost, reconnecting…" : status}`;
    session.dataset.status = status;
  });
  client.on("error", (error: Error) => console.warn("xmpp:", error.message));

  // The page reconnects by itself: what is typed meanwhile waits and goes out when it is back.
  const owner = new OwnerClient(client, { timeoutMs: 30_000, idPrefix: "dash", holdWhileOffline: true, warn: (line) => console.warn(line) });
  const contacts = new Contacts(owner);
  const conversation = new Conversation(owner);
  const deliveries = new Deliveries(conversation);
  const target = (device: string) => owner.target(device);
  const sets = new InstructionSets(owner, conversation);

  const state = new StatePanelView(contacts, conversation, target);
  const instructions = new InstructionsView({ owner, contacts, conversation, deliveries, sets, target });
  const log = new DeliveryLogView(deliveries);
  const chat = new ChatView(conversation, target);
  const title = byId("device-title");
  let selected: string | undefined;
  const renderTitle = () => selected !== undefined && (title.textContent = contacts.get(selected)?.name || selected);
  contacts.onChange(renderTitle);
  const list: DeviceListView = new DeviceListView(contacts, domain, (device) => {
    selected = device;
    list.select(device);
    byId("no-device").hidden = true;
    byId("device-view").hidden = false;
    renderTitle();
    state.show(device);
    instructions.show(device);
    log.show(device);
    chat.show(device);
  });
  list.render();
  await contacts.load();
}

main().catch((error: Error) => {
  byId("login-error").textContent = `The dashboard failed: ${error.message}`;
});
