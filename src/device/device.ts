// The device: the text protocol (help, status, commands) over the declared instruction set,
// carried out on the drivers, with the timers of timed actions and sequences, and trips.

import type { Host, TimerHandle } from "../host.js";
import type { Driver, DriverValue, Trip } from "../drivers/driver.js";
import { CommandError, type InstructionSet } from "./instruction-set.js";
import type { Command, DurationSource, Opcode, Operand, OperandValues, Step, ValueSource } from "./types.js";

export interface DeviceOptions {
  name: string;
  host: Pick<Host, "setTimeout" | "clearTimeout" | "now">;
  instructionSet: InstructionSet;
  drivers: ReadonlyMap<string, Driver>;
  /** Something owners should see changed: a command started or ended, a driver tripped. */
  onChange?(): void;
}

/** A command still running: a timed action or a sequence, holding some drivers until it ends. */
interface Run {
  readonly label: string;
  readonly task: string;
  readonly drivers: Set<string>;
  endsAt: number;
  timer: TimerHandle | undefined;
  cancelled: boolean;
}

export class Device {
  readonly name: string;
  readonly #host: DeviceOptions["host"];
  readonly #instructions: InstructionSet;
  readonly #drivers: ReadonlyMap<string, Driver>;
  readonly #onChange: (() => void) | undefined;
  readonly #runs = new Set<Run>();
  readonly #trips: Trip[] = [];

  constructor(options: DeviceOptions) {
    this.name = options.name;
    this.#host = options.host;
    this.#instructions = options.instructionSet;
    this.#drivers = options.drivers;
    this.#onChange = options.onChange;
  }

  /** The declared instruction set, in the order `help` lists it. */
  get opcodes(): readonly Opcode[] {
    return this.#instructions.opcodes;
  }

  /** Answers one chat message: `help`, `status`, or a command. The reply starts with "ok" or "error:". */
  async handle(text: string): Promise<string> {
    const word = text.trim().toLowerCase();
    if (word === "help" || word === "?") return this.#instructions.help();
    if (word === "status") return this.status();
    let command: Command;
    try {
      command = this.#instructions.parse(text);
    } catch (error) {
      if (error instanceof CommandError) return `error: ${error.message}`;
      throw error;
    }
    try {
      return await this.execute(command);
    } catch (error) {
      // A failure half-way must not leave outputs on: the drivers of the command go safe.
      this.#safeDrivers(driversOf(command));
      return `error: ${command.opcode.opcode} failed and its outputs were switched off: ${(error as Error).message}`;
    }
  }

  /** Carries out a parsed (valid) command; resolves once every output is set. */
  async execute(command: Command): Promise<string> {
    const { opcode, values } = command;
    const action = opcode.action;
    if (action.kind === "safe") {
      this.safe();
      return `ok: ${opcode.opcode}: every output is in its safe state`;
    }
    // The label as typed ("PREHEAT 350 20"), and for presence the task with its settings
    // ("Preheat 350 C", then ", 12 min left"): words added one at a time, with no arrays spread.
    let label = opcode.opcode;
    let task = opcode.task;
    for (const operand of opcode.operands) {
      const value = values.get(operand.name)!;
      label += ` ${render(operand, value)}`;
      if (operand.type !== "duration") task += ` ${withUnit(operand, value)}`;
    }
    const steps = action.kind === "set" ? [action.step] : action.steps;
    const touched = new Set<string>();
    for (const step of steps) for (const name of step.set.keys()) touched.add(name);
    this.#cancelRunsOn(touched);
    this.#clearTripsOf(touched);

    // Pushed one by one, not mapped: on Node the array TurboFan's inlined map() built for PREHEAT's
    // steps had another map than the one the feedback knew, and the first read of it threw
    // execute's optimised code away ("wrong map"; a recompile of 30-50 ms on a worker thread).
    const durations: (number | undefined)[] = [];
    for (const step of steps) durations.push(step.for ? durationMs(step.for, values) : undefined);
    if (action.kind === "set" && durations[0] === undefined) {
      await this.#apply(action.step, values);
      this.#changed();
      return `ok: ${label}`;
    }
    const total = durations.reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
    const run: Run = { label, task, drivers: touched, endsAt: this.#host.now() + total, timer: undefined, cancelled: false };
    this.#runs.add(run);
    await this.#runSteps(run, steps, durations, values, 0);
    this.#changed();
    return `ok: ${label}, for ${formatDuration(total)}`;
  }

  /** Every output to its safe state, every running command cancelled. */
  safe(): void {
    for (const run of [...this.#runs]) this.#endRun(run, false);
    for (const driver of this.#drivers.values()) driver.safe();
    this.#changed();
  }

  /** A driver reported a limit it enforced: stop what was using it, and remember why. */
  trip(trip: Trip): void {
    this.#trips.push(trip);
    if (this.#trips.length > 8) this.#trips.shift();
    this.#cancelRunsOn(new Set([trip.driver]));
    this.#changed();
  }

  /** The reply to `status`: every driver, every running command, every trip not yet cleared. */
  status(): string {
    const width = Math.max(...[...this.#drivers.keys()].map((name) => name.length));
    const lines = [`${this.name}: status`];
    for (const driver of this.#drivers.values()) lines.push(`  ${driver.name.padEnd(width)}  ${driver.state.text}`);
    const now = this.#host.now();
    for (const run of this.#runs) lines.push(`running: ${run.label}, ${formatDuration(run.endsAt - now)} left`);
    for (const trip of this.#trips) lines.push(`tripped: ${trip.driver}: ${trip.text}`);
    if (this.#runs.size === 0) lines.push("nothing running");
    return lines.join("\n");
  }

  /** One line for presence: what the device is doing; time left counted from `at` (the host's now() by default). */
  summary(at?: number): string {
    const now = at ?? this.#host.now();
    const running = [...this.#runs].map((run) => `${run.task}, ${formatDuration(run.endsAt - now)} left`);
    if (running.length) return running.join("; ");
    if (this.#trips.length) return `tripped: ${this.#trips[this.#trips.length - 1]!.text}`;
    const active = [...this.#drivers.values()].filter((driver) => driver.state.active || driver.state.value !== false && driver.state.value !== 0);
    if (active.length) return active.map((driver) => `${driver.name} ${driver.state.text}`).join(", ");
    return "idle";
  }

  close(): void {
    for (const run of [...this.#runs]) this.#endRun(run, false);
    for (const driver of this.#drivers.values()) driver.close();
  }

  async #runSteps(run: Run, steps: readonly Step[], durations: (number | undefined)[], values: OperandValues, index: number): Promise<void> {
    if (run.cancelled) return;
    if (index === steps.length) {
      this.#endRun(run, true);
      return;
    }
    await this.#apply(steps[index]!, values);
    if (run.cancelled) return;
    run.timer = this.#host.setTimeout(() => {
      run.timer = undefined;
      // Later steps are started from the timer; their failures end the run safely.
      this.#runSteps(run, steps, durations, values, index + 1).catch(() => {
        this.#endRun(run, true);
        this.#changed();
      });
      if (index + 1 === steps.length) this.#changed();
    }, durations[index] ?? 0);
  }

  async #apply(step: Step, values: OperandValues): Promise<void> {
    await Promise.all([...step.set].map(([name, source]) => this.#drivers.get(name)!.set(valueOf(source, values))));
  }

  #cancelRunsOn(drivers: Set<string>): void {
    for (const run of [...this.#runs]) {
      if ([...run.drivers].some((name) => drivers.has(name))) this.#endRun(run, true, drivers);
    }
  }

  /** Ends a run; `toSafe` returns its drivers to safe, except those a new command is taking over. */
  #endRun(run: Run, toSafe: boolean, takenOver: Set<string> = new Set()): void {
    run.cancelled = true;
    if (run.timer !== undefined) this.#host.clearTimeout(run.timer);
    run.timer = undefined;
    this.#runs.delete(run);
    if (toSafe) this.#safeDrivers(run.drivers, takenOver);
  }

  #safeDrivers(names: Iterable<string>, except: Set<string> = new Set()): void {
    for (const name of names) if (!except.has(name)) this.#drivers.get(name)?.safe();
  }

  #clearTripsOf(drivers: Set<string>): void {
    for (let i = this.#trips.length - 1; i >= 0; i--) if (drivers.has(this.#trips[i]!.driver)) this.#trips.splice(i, 1);
  }

  #changed(): void {
    this.#onChange?.();
  }
}

function driversOf(command: Command): Set<string> {
  const action = command.opcode.action;
  const steps = action.kind === "set" ? [action.step] : action.kind === "sequence" ? action.steps : [];
  const names = new Set<string>();
  for (const step of steps) for (const name of step.set.keys()) names.add(name);
  return names;
}

function valueOf(source: ValueSource, values: OperandValues): DriverValue {
  if ("literal" in source) return source.literal;
  const value = values.get(source.operand);
  if (typeof value === "string") throw new Error(`operand ${source.operand} is a word, not a value an output can take`);
  return value!;
}

function durationMs(source: DurationSource, values: OperandValues): number {
  if ("ms" in source) return source.ms;
  return values.get(source.operand) as number;
}

const DURATION_UNIT_MS: Record<string, number> = { s: 1000, min: 60_000, h: 3_600_000 };

/** An operand's value as it would be typed: durations back in their declared unit. */
function render(operand: Operand, value: number | boolean | string): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (operand.type === "duration") return String(Math.round(((value as number) / DURATION_UNIT_MS[operand.unit ?? "s"]!) * 1000) / 1000);
  return String(value);
}

function withUnit(operand: Operand, value: number | boolean | string): string {
  const text = render(operand, value);
  return operand.unit && typeof value === "number" ? `${text} ${operand.unit}` : text;
}

/** "20 min", "1 h 5 min", "45 s", "2 min 30 s". */
export function formatDuration(ms: number): string {
  let seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (seconds || parts.length === 0) parts.push(`${seconds} s`);
  return parts.join(" ");
}
