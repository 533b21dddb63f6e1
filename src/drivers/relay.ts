// A relay (ESPHome's gpio switch): on/off, a safe state, an optional interlock group.

import type { TimerHandle } from "../host.js";
import type { DriverServices } from "./output-driver.js";
import { OutputDriver } from "./output-driver.js";
import type { RelayDeclaration } from "./declarations.js";
import type { DriverValue } from "./driver.js";
import { DriverError } from "./driver-error.js";
import type { InterlockGroup, InterlockMember } from "./interlock.js";
import type { PinProvider } from "./io.js";
import { OnOffOutput } from "./output.js";

interface PendingSwitchOn {
  timer: TimerHandle;
  resolve(): void;
  reject(error: Error): void;
}

export class Relay extends OutputDriver {
  readonly kind = "relay";
  readonly #declaration: RelayDeclaration;
  readonly #output: OnOffOutput;
  readonly #group: InterlockGroup | undefined;
  readonly #member: InterlockMember;
  #offSince: number;
  #pending: PendingSwitchOn | undefined;

  constructor(declaration: RelayDeclaration, pins: PinProvider, group: InterlockGroup | undefined, services: DriverServices) {
    super(declaration.name, declaration.maxOnMs, services);
    this.#declaration = declaration;
    this.#output = new OnOffOutput(pins.digitalOutput(declaration.pin), declaration.active);
    this.begin();
    this.#offSince = this.host.now();
    this.#group = group;
    this.#member = {
      name: this.name,
      offSince: () => this.#offSince,
      yieldTo: (by) => {
        this.#cancelPending(`${by} is switching on in interlock group ${group?.name}`);
        if (this.#output.on) this.#switch(false);
        this.changed();
      },
    };
    group?.join(this.#member);
  }

  check(value: DriverValue): string | undefined {
    if (typeof value !== "boolean") return `${this.name} is a relay: it takes on or off, got ${String(value)}`;
    return undefined;
  }

  protected get value(): boolean {
    return this.#output.on;
  }

  protected get energised(): boolean {
    return this.#output.on;
  }

  protected get commandedOn(): boolean {
    return this.#output.on;
  }

  protected describe(): string {
    if (this.#pending) return "off, switching on after the interlock wait";
    return this.#output.on ? "on" : "off";
  }

  /**
   * During an interlock wait the relay stays off and its value false; the promise resolves when
   * it is on, or rejects with a "cancelled" DriverError if safe(), a newer set() or another relay
   * of the group switching on comes first.
   */
  protected apply(value: DriverValue): Promise<void> {
    this.#cancelPending("a newer command was given");
    if (value === false) {
      this.#switch(false);
      return Promise.resolve();
    }
    if (this.#output.on) return Promise.resolve();
    return new Promise((resolve, reject) => this.#switchOnWhenClear(resolve, reject));
  }

  protected toSafe(): void {
    this.#cancelPending("the safe state was ordered");
    this.#switch(this.#declaration.safe);
  }

  protected release(): void {
    this.#output.close();
  }

  #switchOnWhenClear(resolve: () => void, reject: (error: Error) => void): void {
    const wait = this.#group?.clear(this.#member, this.#declaration.interlockWaitMs) ?? 0;
    if (wait <= 0) {
      this.#switch(true);
      resolve();
      return;
    }
    const timer = this.host.setTimeout(() => {
      this.#pending = undefined;
      this.#switchOnWhenClear(resolve, reject);
      this.changed();
    }, wait);
    this.#pending = { timer, resolve, reject };
  }

  #cancelPending(why: string): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    this.host.clearTimeout(pending.timer);
    pending.reject(new DriverError(this.name, "cancelled", `switching ${this.name} on was cancelled: ${why}`));
  }

  #switch(on: boolean): void {
    if (this.#output.on && !on) this.#offSince = this.host.now();
    this.#output.write(on);
  }
}
