// The plain chat with the selected device: free text out (with its delivery mark), every
// message in, and hints of what to type from its instruction set; the dashboard's own lookups
// (its `help` table, the state panel's `status`) are left out.

import { answersLookup, isLookup, type Conversation, type Outgoing } from "./conversation.js";
import { byId, clock, el, fill } from "./dom.js";

type Line =
  | { readonly kind: "out"; readonly message: Outgoing }
  /** `answers`: the text of ours it replies to (matched by thread), shown since replies may come out of order. */
  | { readonly kind: "in"; readonly text: string; readonly at: Date; readonly answers: string | undefined };

function mark(message: Outgoing): { text: string; state: string } {
  if (message.failed !== undefined) return { text: `✗ ${message.failed}`, state: "failed" };
  if (message.received) return { text: "✓ received", state: "received" };
  if (message.state === "waiting") return { text: "… waiting for the connection to come back", state: "waiting" };
  return { text: "… sent", state: "sent" };
}

/** Where the chat's hints come from: the device's instruction set, when it can be read. */
export type HintSource = (device: string) => Promise<string[]> | undefined;

export class ChatView {
  readonly #lines = new Map<string, Line[]>();
  readonly #log = byId<HTMLOListElement>("chat-log");
  readonly #hints = byId("chat-hints");
  readonly #suggestions = byId<HTMLDataListElement>("chat-suggestions");
  readonly #input: HTMLInputElement;
  readonly #hintSource: HintSource;
  /** The device whose hints are shown or being read. */
  #hinted: string | undefined;
  #device: string | undefined;

  constructor(conversation: Conversation, target: (device: string) => string, hintSource: HintSource) {
    this.#hintSource = hintSource;
    conversation.listen({
      updated: (message) => {
        if (isLookup(message)) return;
        const lines = this.#of(message.device);
        if (!lines.some((line) => line.kind === "out" && line.message === message)) lines.push({ kind: "out", message });
        this.#renderIfShown(message.device);
      },
      incoming: (message) => {
        if (answersLookup(message)) return;
        this.#of(message.device).push({ kind: "in", text: message.text, at: message.at, answers: message.answers?.text });
        this.#renderIfShown(message.device);
      },
    });
    const form = byId<HTMLFormElement>("chat-form");
    const input = (this.#input = form.elements.namedItem("text") as HTMLInputElement);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (text === "" || this.#device === undefined) return;
      input.value = "";
      void conversation.send(target(this.#device), text, "chat");
    });
  }

  show(device: string): void {
    this.#device = device;
    this.#render();
    if (device !== this.#hinted) this.#showHints(device, []);
    this.refreshHints();
  }

  /** Reads the shown device's hints if not yet read (it may have been offline before). */
  refreshHints(): void {
    const device = this.#device;
    if (device === undefined || device === this.#hinted) return;
    const hints = this.#hintSource(device);
    if (hints === undefined) return;
    this.#hinted = device;
    // Not a device that answers help (a person, say): plain chat without hints, not asked again.
    hints.then((list) => this.#device === device && this.#showHints(device, list), () => undefined);
  }

  #showHints(device: string, hints: readonly string[]): void {
    this.#input.placeholder = hints.length > 2 ? `e.g. ${hints[2]}` : `a message to ${device}`;
    fill(this.#suggestions, hints.map((hint) => el("option", { value: hint })));
    fill(
      this.#hints,
      hints.length > 0 ? "Try: " : null,
      hints.map((hint) => el("button", { type: "button", class: "hint", onclick: () => {
        this.#input.value = hint;
        this.#input.focus();
      } }, hint)),
    );
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
        if (line.kind === "in") {
          return el(
            "li",
            { class: "in" },
            el("span", { class: "time" }, clock(line.at)),
            line.answers !== undefined ? el("span", { class: "answers" }, "re: ", el("code", {}, line.answers)) : null,
            el("pre", { class: "text" }, line.text),
          );
        }
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
