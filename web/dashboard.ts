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
  // Hints are read from the help table of an online device only when it is shown.
  const chat = new ChatView(conversation, target, (device) => (contacts.get(device)?.resources.length ? sets.chatHints(device, target(device)) : undefined));
  contacts.onChange(() => chat.refreshHints());
  const title = byId("device-title");
  const removeNote = byId("remove-note");
  let selected: string | undefined;
  const renderTitle = () => selected !== undefined && (title.textContent = contacts.get(selected)?.name || selected);
  contacts.onChange(renderTitle);
  // On a phone the list and the selected device take the whole width in turn (see dashboard.css).
  const dashboard = byId("dashboard");
  dashboard.dataset.view = "list";
  const list: DeviceListView = new DeviceListView(contacts, domain, (device) => {
    selected = device;
    list.select(device);
    byId("no-device").hidden = true;
    byId("device-view").hidden = false;
    removeNote.textContent = "";
    dashboard.dataset.view = "device";
    window.scrollTo(0, 0);
    renderTitle();
    state.show(device);
    instructions.show(device);
    log.show(device);
    chat.show(device);
  });
  const showList = (note: string) => {
    selected = undefined;
    list.select(undefined);
    byId("device-view").hidden = true;
    const noDevice = byId("no-device");
    noDevice.hidden = false;
    noDevice.textContent = note;
    dashboard.dataset.view = "list";
  };
  byId("back-to-devices").addEventListener("click", () => showList("Select a device, or add one by its JID."));
  // A contact that never approves (a person, a mistyped JID) would stay pending for ever otherwise.
  byId("remove-contact").addEventListener("click", () => {
    const jid = selected;
    if (jid === undefined) return;
    removeNote.textContent = `removing ${jid}…`;
    contacts.remove(jid).then(
      () => showList(`Removed ${jid} from your contacts: it no longer sees your presence, nor you its.`),
      (error: Error) => (removeNote.textContent = `could not remove ${jid}: ${error.message}`),
    );
  });
  list.render();
  await contacts.load();
}

main().catch((error: Error) => {
  byId("login-error").textContent = `The dashboard failed: ${error.message}`;
});
