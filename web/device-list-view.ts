// The devices list: every roster contact, online or offline with its status text, live from
// presence; a field to add a device by JID; and contacts asking to be added.

import type { Contact, Contacts } from "./contacts.js";
import { byId, el, fill } from "./dom.js";

function stateOf(contact: Contact): { state: string; text: string } {
  if (contact.resources.length > 0) return { state: "online", text: contact.resources[0]!.status || "online" };
  if (contact.subscription !== "to" && contact.subscription !== "both") {
    return { state: "pending", text: contact.pending ? "waiting for the device to approve" : "not subscribed to its presence" };
  }
  return { state: "offline", text: contact.lastStatus ? `offline (last: ${contact.lastStatus})` : "offline" };
}

export class DeviceListView {
  readonly #contacts: Contacts;
  readonly #list = byId<HTMLUListElement>("device-list");
  readonly #requests = byId("requests");
  readonly #note = byId("add-note");
  #selected: string | undefined;
  readonly #onSelect: (jid: string) => void;

  constructor(contacts: Contacts, domain: string, onSelect: (jid: string) => void) {
    this.#contacts = contacts;
    this.#onSelect = onSelect;
    contacts.onChange(() => this.render());
    const form = byId<HTMLFormElement>("add-device");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.elements.namedItem("jid") as HTMLInputElement;
      const typed = input.value.trim();
      if (typed === "") return void (this.#note.textContent = `enter the device's JID, e.g. microwave@${domain}`);
      const jid = typed.includes("@") ? typed : `${typed}@${domain}`;
      if (!/^[^@/\s]+@[^@/\s]+$/.test(jid)) return void (this.#note.textContent = `"${typed}" is not a bare JID like microwave@${domain}`);
      this.#contacts.add(jid).then(
        () => {
          this.#note.textContent = `asked ${jid} to share its presence; a device approves its owners`;
          input.value = "";
          this.#onSelect(jid.toLowerCase());
        },
        (error: Error) => (this.#note.textContent = `could not ask ${jid}: ${error.message}`),
      );
    });
  }

  select(jid: string | undefined): void {
    this.#selected = jid;
    this.render();
  }

  render(): void {
    const contacts = this.#contacts.list();
    fill(
      this.#list,
      contacts.length === 0 ? el("li", { class: "empty" }, "No devices yet: add one by its JID below.") : null,
      contacts.map((contact) => {
        const { state, text } = stateOf(contact);
        return el(
          "li",
          { class: `device ${state}${contact.jid === this.#selected ? " selected" : ""}`, "data-jid": contact.jid, "data-state": state },
          el(
            "button",
            { type: "button", onclick: () => this.#onSelect(contact.jid) },
            el("span", { class: "dot", title: state }),
            el("span", { class: "name" }, contact.name || contact.jid),
            el("span", { class: "state" }, state),
            el("span", { class: "status" }, text),
          ),
        );
      }),
    );
    fill(
      this.#requests,
      this.#contacts.requests().map((jid) =>
        el("p", { class: "request" }, `${jid} asks to see your presence `, el("button", { type: "button", onclick: () => void this.#contacts.approve(jid) }, "Accept and add")),
      ),
    );
  }
}
