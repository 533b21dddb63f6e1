// The pins a device declaration may use on its board: a declaration sent to a running device
// names only pins of the board's map (a name, or a GPIO the map gives a name), so that a remote
// owner cannot drive a strapping, flash or input-only GPIO the board maker never wired out.

import type { PinSpecifier } from "../drivers/io.js";
import { DeclarationError } from "./declaration-error.js";
import type { DeviceDeclaration } from "./types.js";

/** A board's pin map: name -> GPIO (a board manifest's `config.pins`); a simulated board's named pins map to themselves. */
export type BoardPinMap = Readonly<Record<string, PinSpecifier>>;

/** Whether the map declares the pin, by name or, for a GPIO number, as the value of a name. */
export function onBoard(map: BoardPinMap, pin: PinSpecifier): boolean {
  if (typeof pin === "number") return Object.values(map).includes(pin);
  return Object.prototype.hasOwnProperty.call(map, pin);
}

/** Throws a DeclarationError naming the first driver or sensor whose pin is not in `map`. */
export function checkBoardPins(declaration: DeviceDeclaration, map: BoardPinMap, source: string, board = "this board"): void {
  const known = Object.keys(map).map((name) => (typeof map[name] === "number" && String(map[name]) !== name ? `${name} (GPIO ${map[name]})` : name)).join(", ") || "none";
  const check = (path: string, pin: PinSpecifier) => {
    if (onBoard(map, pin)) return;
    throw new DeclarationError(source, `${path}.pin`, `pin ${JSON.stringify(pin)} is not in the pin map of ${board} (${known}): use one of these`);
  };
  for (const sensor of declaration.sensors) check(`device.sensors.${sensor.name}`, sensor.pin);
  for (const driver of declaration.drivers) check(`device.drivers.${driver.name}`, driver.pin);
}

/** The pins a declaration uses, as a map (each under its own number or name): the board of a simulated device. */
export function declaredPins(declaration: DeviceDeclaration): BoardPinMap {
  const map: Record<string, PinSpecifier> = {};
  for (const { pin } of [...declaration.sensors, ...declaration.drivers]) map[String(pin)] = pin;
  return map;
}
