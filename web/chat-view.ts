// The plain chat with the selected device: free text out (with its delivery mark), every
// message in; the dashboard's own `help` lookups are left out.

import { answersHelp, originOf, type Conversation, type Outgoing } from "./conversation.js";
import { byId, clock, el, fill } from "./dom.js";

type Line = { readonly kind: "out"; readonly message: Outgoing } | { readonly kind: "in"; readonly text: string; readonly at: Date };

function mark(message: Outgoing): { text: string; state: string } {
  if (message.failed !== undefined) return { text: `✗ ${message.failed}`, state: "failed" };
  if (message.received) return { text: "✓ received", state: "received" };
  if (message.state === "waiting") return { text: "… waiting for the connection to come back", state: "waiting" };
  return { text: "… sent", state: "sent" };
}

export class ChatView {
  readonly #lines = new Map<string, Line[]>();
  readonly #log = byId<HTMLOListElement>("chat-log");
  #device: string | undefined;

  constructor(conversation: Conversation, target: (device: string) => string) {
    conversation.listen({
      updated: (message) => {
        if (originOf(message) === "help") return;
        const lines = this.#of(message.device);
        if (!lines.some((line) => line.kind === "out" && line.message === message)) lines.push({ kind: "out", message });
        this.#renderIfShown(message.device);
      },
      incoming: (message) => {
        if (answersHelp(message)) return;
        this.#of(message.device).push({ kind: "in", text: message.text, at: message.at });
        this.#renderIfShown(message.device);
      },
    });
    const form = byId<HTMLFormElement>("chat-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.elements.namedItem("text") as HTMLInputElement;
      const text = input.value.trim();
      if (text === "" || this.#device === undefined) return;
      input.value = "";
      void conversation.send(target(this.#device), text, "chat");
    });
  }

  show(device: string): void {
    this.#device = device;
    this.#render();
  }

  #of(device: string): Line[] {
    let lines = this.#lines.get(device);
    if (lines === undefined) this.#lines.set(device, (lines = []));
    return lines;
  }

  #renderIfShown(device: string): void {
    if (device === this.#device) this.#render();
  }

  #render(): void {
    const lines = this.#device === undefined ? [] : this.#of(this.#device);
    fill(
      this.#log,
      lines.map((line) => {
        if (line.kind === "in") return el("li", { class: "in" }, el("span", { class: "time" }, clock(line.at)), el("pre", { class: "text" }, line.text));
        const { text, state } = mark(line.message);
        return el(
          "li",
          { class: `out ${state}`, "data-state": state },
          el("span", { class: "time" }, clock(line.message.createdAt)),
          el("pre", { class: "text" }, line.message.text),
          el("span", { class: "mark" }, text),
        );
      }),
    );
    this.#log.scrollTop = this.#log.scrollHeight;
  }
}
