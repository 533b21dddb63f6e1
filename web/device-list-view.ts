// The devices list: the roster's contacts a page at a time, found by a filter on JID or name,
// each online or offline with its status text, live from presence; a field to add a device by
// JID; and contacts asking to be added. With a thousand devices nothing is asked of each: their
// state is the presence the hub pushes, and capabilities are looked up for the shown ones only.

import type { Contact, Contacts } from "./contacts.js";
import { devicePage, pageSummary } from "./device-page.js";
import { byId, el, fill } from "./dom.js";

/** Presence comes in bursts (a thousand at login): the list is drawn at most this often. */
const RENDER_DELAY_MS = 50;

function stateOf(contact: Contact): { state: string; text: string } {
  if (contact.resources.length > 0) return { state: "online", text: contact.resources[0]!.status || "online" };
  if (contact.subscription !== "to" && contact.subscription !== "both") {
    return { state: "pending", text: contact.pending ? "waiting for the contact to approve" : "not subscribed to its presence" };
  }
  return { state: "offline", text: contact.lastStatus ? `offline (last: ${contact.lastStatus})` : "offline" };
}

export class DeviceListView {
  readonly #contacts: Contacts;
  readonly #list = byId<HTMLUListElement>("device-list");
  readonly #summary = byId("device-summary");
  readonly #filter = byId<HTMLInputElement>("device-filter");
  readonly #previous = byId<HTMLButtonElement>("page-previous");
  readonly #next = byId<HTMLButtonElement>("page-next");
  readonly #requests = byId("requests");
  readonly #note = byId("add-note");
  #selected: string | undefined;
  #page = 0;
  #scheduled: ReturnType<typeof setTimeout> | undefined;
  readonly #onSelect: (jid: string) => void;

  constructor(contacts: Contacts, domain: string, onSelect: (jid: string) => void) {
    this.#contacts = contacts;
    this.#onSelect = onSelect;
    contacts.onChange(() => this.#schedule());
    this.#filter.addEventListener("input", () => {
      this.#page = 0;
      this.render();
    });
    this.#previous.addEventListener("click", () => this.#turn(-1));
    this.#next.addEventListener("click", () => this.#turn(1));
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

  #turn(by: number): void {
    this.#page += by;
    this.render();
  }

  #schedule(): void {
    this.#scheduled ??= setTimeout(() => this.render(), RENDER_DELAY_MS);
  }

  render(): void {
    clearTimeout(this.#scheduled);
    this.#scheduled = undefined;
    const contacts = this.#contacts.list();
    const filter = this.#filter.value;
    const page = devicePage(contacts, filter, this.#page);
    this.#page = page.page;
    const online = contacts.filter((contact) => contact.resources.length > 0).length;
    this.#summary.textContent = contacts.length === 0 ? "" : pageSummary(page, contacts.length, online, filter);
    this.#previous.disabled = page.page === 0;
    this.#next.disabled = page.page >= page.pages - 1;
    byId("device-pages").hidden = page.pages < 2;
    fill(
      this.#list,
      contacts.length === 0 ? el("li", { class: "empty" }, "No devices yet: add one by its JID below.") : null,
      contacts.length > 0 && page.matching === 0 ? el("li", { class: "empty" }, `No contact's JID or name contains "${filter.trim()}".`) : null,
      page.shown.map((contact) => {
        const { state, text } = stateOf(contact);
        const commands = this.#contacts.commands(contact, () => this.#schedule());
        return el(
          "li",
          {
            class: `device ${state}${contact.jid === this.#selected ? " selected" : ""}`, "data-jid": contact.jid, "data-state": state,
            ...(commands !== undefined ? { "data-commands": String(commands) } : {}),
          },
          el(
            "button",
            { type: "button", onclick: () => this.#onSelect(contact.jid) },
            el("span", { class: "dot", title: state }),
            el("span", { class: "name" }, contact.name || contact.jid),
            el("span", { class: "state" }, commands === true ? `${state}, commands` : state),
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
