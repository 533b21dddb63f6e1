// The delivery log of the selected device: each command with its steps (sent, received by the
// device, result) and the result's text, styled ok or error.

import type { Deliveries, Delivery } from "./deliveries.js";
import { byId, clock, el, fill } from "./dom.js";

function steps(delivery: Delivery): HTMLOListElement {
  const step = (name: string, done: boolean, label: string) => el("li", { "data-step": name, class: done ? "done" : "waiting" }, label);
  const failed = delivery.result !== undefined && !delivery.result.ok && !delivery.received;
  return el(
    "ol",
    { class: "steps" },
    step("sent", true, "sent"),
    step("received", delivery.received, delivery.received ? "received" : failed ? "not received" : "received?"),
    step("result", delivery.result !== undefined, delivery.result === undefined ? "result?" : delivery.result.ok ? "ok" : "error"),
  );
}

export class DeliveryLogView {
  readonly #deliveries: Deliveries;
  readonly #log = byId<HTMLOListElement>("delivery-log");
  #device: string | undefined;

  constructor(deliveries: Deliveries) {
    this.#deliveries = deliveries;
    deliveries.onChange((delivery) => delivery.device === this.#device && this.#render());
  }

  show(device: string): void {
    this.#device = device;
    this.#render();
  }

  #render(): void {
    const entries = this.#device === undefined ? [] : [...this.#deliveries.of(this.#device)].reverse();
    fill(
      this.#log,
      entries.length === 0 ? el("li", { class: "empty" }, "No commands sent yet.") : null,
      entries.map((delivery) => {
        const outcome = delivery.result === undefined ? "pending" : delivery.result.ok ? "ok" : "error";
        return el(
          "li",
          { class: `delivery ${outcome}`, "data-outcome": outcome, "data-received": String(delivery.received) },
          el("span", { class: "time" }, clock(delivery.sentAt)),
          el("code", { class: "command" }, delivery.text),
          el("span", { class: "via" }, delivery.via === "ad-hoc" ? "ad-hoc command" : "chat"),
          steps(delivery),
          delivery.result !== undefined ? el("pre", { class: "result" }, delivery.result.text) : null,
        );
      }),
    );
  }
}
