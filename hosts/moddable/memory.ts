// Memory figures from an instrumented build (mcconfig -i): the XS chunk heap (strings, buffers,
// arrays' storage) and slot heap (objects, closures) in use, sampled every few milliseconds and
// at every event, the highest of each reported per phase (boot, login, commands), and what is
// still live after a forced collection when the phase ends. They set the `creation` sizes of
// the ESP32 builds (hosts/moddable/manifest.json; bench/moddable-memory.ts runs the measurement).

import Debug from "debug";
import Instrumentation from "instrumentation";
import Timer from "timer";

const SAMPLE_MS = 10;

export class MemoryProbe {
  readonly #log: (event: string, detail: string) => void;
  readonly #chunks: number | undefined;
  readonly #slots: number | undefined;
  readonly #stack: number | undefined;
  #phase: string | undefined;
  #peakChunks = 0;
  #peakSlots = 0;
  /** XS resets its stack peak at every instrumentation sample: the highest of the samples is kept here, over all phases. */
  #peakStack = 0;
  #samples = 0;

  constructor(log: (event: string, detail: string) => void) {
    this.#log = log;
    this.#chunks = Instrumentation.map("XS Chunk Heap Used");
    this.#slots = Instrumentation.map("XS Slot Heap Used");
    this.#stack = Instrumentation.map("XS Stack Used");
    if (this.#chunks === undefined || Instrumentation.get(this.#chunks) === undefined) {
      log("memory", "no XS instrumentation in this build: build with mcconfig -i (npm run sim -- --memory ...)");
      return;
    }
    Timer.repeat(() => this.sample(), SAMPLE_MS);
  }

  /** Ends the phase running (reporting its peaks) and starts `name`. */
  phase(name: string): void {
    if (this.#chunks === undefined) return;
    if (this.#phase !== undefined) this.#report();
    this.#phase = name;
    this.#peakChunks = this.#peakSlots = this.#samples = 0;
    this.sample();
  }

  sample(): void {
    if (this.#chunks === undefined) return;
    this.#peakChunks = Math.max(this.#peakChunks, this.#read(this.#chunks));
    this.#peakSlots = Math.max(this.#peakSlots, this.#read(this.#slots));
    this.#peakStack = Math.max(this.#peakStack, this.#read(this.#stack));
    this.#samples++;
  }

  /** Reports the phase running now without ending it (for the last phase, at any time). */
  report(): void {
    if (this.#chunks !== undefined && this.#phase !== undefined) this.#report();
  }

  #read(index: number | undefined): number {
    return index === undefined ? 0 : (Instrumentation.get(index) ?? 0);
  }

  /** Takes a last sample, then collects garbage to read what is live. */
  #report(): void {
    this.sample();
    Debug.gc();
    this.#log(
      "memory",
      `${this.#phase}: peak chunks ${this.#peakChunks} slots ${this.#peakSlots}; ` +
        `live after gc chunks ${this.#read(this.#chunks)} slots ${this.#read(this.#slots)}; ` +
        `stack peak so far ${this.#peakStack} (bytes; ${this.#samples} samples)`,
    );
  }
}
