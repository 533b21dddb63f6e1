// The device of the declaration in force, which an owner may replace while it runs: a new one
// (the same JSON as `config.device`) is checked whole exactly as at boot, its pins against the
// board's map, stored, and only then put in place of the old one, whose outputs go safe first. The
// stored one is used at the next boot; a stored one that no longer reads falls back to the built-in.

import type { Opcode } from "../device/types.js";
import type { Device } from "../device/device.js";
import { checkBoardPins, type BoardPinMap } from "../device/board-pins.js";
import { DeclarationError, readDeviceDeclaration } from "../device/declaration.js";
import type { DeviceDeclaration } from "../device/types.js";
import type { SettingsStore } from "../host.js";
import { StoredText } from "./stored-text.js";

/** The setting the declaration an owner sent is kept under (chunked: it may be several KB). */
export const DECLARATION_RECORD = "device";
/** How errors name a declaration an owner sent, and one read back from the store. */
export const SENT_SOURCE = "declaration";
export const STORED_SOURCE = "stored declaration";

/** A device opened on its pins; `close()` closes both. */
export interface OpenedDevice {
  readonly device: Device;
  close(): void;
}

export interface DeclaredDeviceOptions {
  /** The declaration to start with (the stored one, or the manifest's: see `bootDeclaration`). */
  declaration: DeviceDeclaration;
  /** Opens a device on its pins, every output in its safe state; throws when a pin cannot be opened. */
  open(declaration: DeviceDeclaration): OpenedDevice;
  /** Where a new declaration is kept; without it a change lasts until the device restarts. */
  store?: SettingsStore;
  /** The pins a new declaration may use, and the board's name for messages. */
  board: { pins: BoardPinMap; name: string };
  log(event: string, detail: string): void;
}

/** The outcome of a change: the reply to the owner starts with "ok" or "error:". */
export interface DeclarationChange {
  readonly changed: boolean;
  readonly reply: string;
}

/**
 * The declaration to boot with: the stored one when there is one and it still reads (a firmware
 * update may have changed the rules, the board map may have shrunk), else the built-in one, with a
 * trace line that says why.
 */
export function bootDeclaration(
  builtIn: DeviceDeclaration,
  store: SettingsStore | undefined,
  board: { pins: BoardPinMap; name: string },
  log: (event: string, detail: string) => void,
): DeviceDeclaration {
  if (!store) return builtIn;
  try {
    const text = new StoredText(store, DECLARATION_RECORD).get();
    if (text === undefined) return builtIn;
    const declaration = readDeclarationText(text, STORED_SOURCE, board);
    log("declaration", `the stored one: ${declaration.name}, ${declaration.opcodes.length} commands (sent by an owner; reset to factory settings for the built-in one)`);
    return declaration;
  } catch (error) {
    log("declaration", `the stored declaration is broken and is not used: ${(error as Error).message}; running the built-in one (${builtIn.name}); send a new one or reset to factory settings`);
    return builtIn;
  }
}

/** A declaration as JSON text, checked as at boot and against the board's pins. */
function readDeclarationText(text: string, source: string, board: { pins: BoardPinMap; name: string }): DeviceDeclaration {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DeclarationError(source, "device", `not JSON (${(error as Error).message}): send the same JSON as config.device, e.g. {"name": "Lamp", "drivers": {...}, "opcodes": [...]}`);
  }
  const declaration = readDeviceDeclaration(parsed, source);
  checkBoardPins(declaration, board.pins, source, board.name);
  return declaration;
}

export class DeclaredDevice {
  readonly #options: DeclaredDeviceOptions;
  #declaration: DeviceDeclaration;
  #opened: OpenedDevice;

  constructor(options: DeclaredDeviceOptions) {
    this.#options = options;
    this.#declaration = options.declaration;
    this.#opened = options.open(options.declaration);
  }

  get declaration(): DeviceDeclaration {
    return this.#declaration;
  }

  get name(): string {
    return this.#declaration.name;
  }

  get opcodes(): readonly Opcode[] {
    return this.#opened.device.opcodes;
  }

  handle(text: string): Promise<string> {
    return this.#opened.device.handle(text);
  }

  summary(at?: number): string {
    return this.#opened.device.summary(at);
  }

  safe(): void {
    this.#opened.device.safe();
  }

  close(): void {
    this.#opened.close();
  }

  /**
   * Replaces the declaration with `text`, all or nothing: a refused one changes nothing; an
   * accepted one is stored first (a power cut after that boots the new one, before it the old one),
   * then every output of the old device goes safe and the new device opens in its safe state. When
   * it cannot open, the old declaration is stored and opened again.
   */
  change(text: string): DeclarationChange {
    let declaration: DeviceDeclaration;
    try {
      declaration = readDeclarationText(text, SENT_SOURCE, this.#options.board);
    } catch (error) {
      if (error instanceof DeclarationError) return { changed: false, reply: `error: ${error.message}; nothing was changed` };
      throw error;
    }
    const record = this.#options.store ? new StoredText(this.#options.store, DECLARATION_RECORD) : undefined;
    let previous: string | undefined;
    try {
      previous = record?.get();
      record?.set(text);
    } catch (error) {
      return { changed: false, reply: `error: the new declaration cannot be stored (${(error as Error).message}); nothing was changed` };
    }
    const old = this.#declaration;
    this.#opened.device.safe();
    this.#opened.close();
    try {
      this.#opened = this.#options.open(declaration);
    } catch (error) {
      // The old one's pins opened before, so they open again; the store gets its text back.
      this.#opened = this.#options.open(old);
      record?.set(previous);
      return { changed: false, reply: `error: the new declaration's pins cannot be opened (${(error as Error).message}); the previous one runs again, its outputs in their safe state` };
    }
    this.#declaration = declaration;
    const kept = record ? "stored, used from now on and after a restart" : "used until the device restarts (this host keeps no settings)";
    this.#options.log("declaration", `changed to ${declaration.name}: ${declaration.drivers.length} outputs in their safe state, ${declaration.opcodes.length} commands; ${kept}`);
    return { changed: true, reply: `ok: the instruction set is now ${declaration.name}'s: ${declaration.opcodes.map((opcode) => opcode.opcode).join(", ")}; every output is in its safe state; ${kept}` };
  }
}
