// The desktop simulation: simulated pins (ECMA-419 shapes, one log line per change, checks a real
// pin would make) and the thermal model the heater drivers' closed loops read.

import { strict as assert } from "node:assert";
import { join } from "node:path";
import { readManifestConfig } from "../../hosts/node/manifest.js";
import { projectRoot } from "../../hosts/node/project.js";
import { ESP32_ADC, type AdcRange } from "../../hosts/sim/adc.js";
import { WRITE_HISTORY, createSimulatedPins, type SimulatedPins } from "../../hosts/sim/pins.js";
import type {
  ActiveLevel,
  DimmerDeclaration,
  DriverDeclaration,
  HeaterDeclaration,
  RelayDeclaration,
  SensorDeclaration,
} from "../../src/drivers/declarations.js";
import type { Driver, Trip } from "../../src/drivers/driver.js";
import { createDrivers } from "../../src/drivers/drivers.js";
import { readDeviceDeclaration } from "../../src/device/declaration.js";
import { FakeHost } from "../support/fake-host.js";

function relay(name: string, pin: number, active: ActiveLevel = "high"): RelayDeclaration {
  return { kind: "relay", name, pin, active, maxOnMs: undefined, safe: false, interlock: undefined, interlockWaitMs: 0 };
}

function heater(name: string, pin: number, output: "pwm" | "relay", sensor: string | undefined, active: ActiveLevel = "high"): HeaterDeclaration {
  return { kind: "heater", name, pin, active, maxOnMs: undefined, output, hz: 1000, periodMs: 10_000, sensor, maxC: 400, cutoffC: 450 };
}

function dimmer(name: string, pin: number, active: ActiveLevel = "high"): DimmerDeclaration {
  return { kind: "dimmer", name, pin, active, maxOnMs: undefined, hz: 1000, safe: 0 };
}

function sensor(name: string, pin: number, heatCPerS = 1, lossPerS = 0.01, ambientC = 20): SensorDeclaration {
  return { kind: "temperature", name, pin, analog: { mvAt0C: 1250, mvPerC: 5, vrefMv: 3300 }, plausible: { minC: -40, maxC: 1000 }, simulation: { ambientC, heatCPerS, lossPerS } };
}

interface Bench {
  host: FakeHost;
  pins: SimulatedPins;
  lines: string[];
}

function bench(drivers: DriverDeclaration[], sensors: SensorDeclaration[] = [], adc?: AdcRange): Bench {
  const host = new FakeHost();
  const lines: string[] = [];
  const pins = createSimulatedPins({ drivers, sensors, host, log: (line) => lines.push(line), adc });
  return { host, pins, lines };
}

const FULL = 1023;

describe("simulated pins", () => {
  it("log and record each change of level once, naming the pin and its driver", () => {
    const { host, pins, lines } = bench([relay("grill", 26)]);
    const grill = pins.digitalOutput(26);
    assert.equal(pins.level(26), undefined, "opening a pin does not set its level");
    assert.deepEqual(lines, []);
    grill.write(0);
    grill.write(0);
    host.clock.advance(100);
    grill.write(1);
    grill.write(1);
    grill.write(0);
    assert.deepEqual(lines, ["pin 26 (grill) -> 0", "pin 26 (grill) -> 1", "pin 26 (grill) -> 0"]);
    assert.deepEqual(
      pins.writes.map((w) => [w.at, w.pin, w.driver, w.level]),
      [[0, 26, "grill", 0], [100, 26, "grill", 1], [100, 26, "grill", 0]],
    );
    assert.equal(pins.level(26), 0);
  });

  it("give PWM outputs the ECMA-419 shape and report the duty", () => {
    const { pins, lines } = bench([dimmer("lamp", 14)]);
    const lamp = pins.pwmOutput(14, 1000);
    assert.equal(lamp.resolution, 10);
    assert.equal(lamp.hz, 1000);
    lamp.write(0);
    lamp.write(634);
    lamp.write(FULL);
    assert.deepEqual(lines, ["pin 14 (lamp) pwm 0%", "pin 14 (lamp) pwm 62%", "pin 14 (lamp) pwm 100%"]);
    assert.equal(pins.level(14), 1);
    assert.throws(() => lamp.write(1024), /pin 14 \(lamp\): a 10-bit PWM output takes a whole number 0\.\.1023, got 1024/);
    assert.throws(() => lamp.write(0.5), RangeError);
    assert.throws(() => lamp.write(-1), RangeError);
  });

  it("refuse digital values other than 0 and 1", () => {
    const { pins } = bench([relay("fan", 27)]);
    const fan = pins.digitalOutput(27);
    assert.throws(() => fan.write(2 as 0 | 1), /pin 27 \(fan\): a digital output takes 0 or 1, got 2/);
  });

  it("say what the load sees on an active-low pin", () => {
    const { pins, lines } = bench([relay("grill", 26, "low"), dimmer("lamp", 14, "low")]);
    pins.digitalOutput(26).write(0);
    pins.pwmOutput(14, 1000).write(FULL);
    assert.deepEqual(lines, ["pin 26 (grill) -> 0 (active low: on)", "pin 14 (lamp) pwm 100% (active low: 0% on)"]);
  });

  it("throw on a write to a closed pin, and may be opened again after closing", () => {
    const { pins } = bench([relay("grill", 26), dimmer("lamp", 14)]);
    const grill = pins.digitalOutput(26);
    grill.close();
    grill.close(); // safe twice, as on Moddable
    assert.throws(() => grill.write(1), /pin 26 \(grill\) is closed/);
    const lamp = pins.pwmOutput(14, 1000);
    lamp.close();
    assert.throws(() => lamp.write(1), /pin 14 \(lamp\) is closed/);
    const again = pins.digitalOutput(26);
    again.write(1);
    assert.throws(() => grill.write(0), /closed/, "the old handle stays closed");
    assert.equal(pins.level(26), 1);
  });

  it("throw when a pin is opened twice", () => {
    const { pins } = bench([relay("grill", 26), dimmer("lamp", 14)], [sensor("cavity", 34)]);
    pins.digitalOutput(26);
    assert.throws(() => pins.digitalOutput(26), /pin 26 \(grill\) is already open/);
    pins.pwmOutput(14, 1000);
    assert.throws(() => pins.pwmOutput(14, 1000), /pin 14 \(lamp\) is already open/);
    pins.temperatureInput("cavity", 34);
    assert.throws(() => pins.temperatureInput("cavity", 34), /sensor cavity is already open/);
  });

  it("open only what the declarations say is there", () => {
    const { pins } = bench([relay("grill", 26), heater("oven", 25, "pwm", undefined)], [sensor("cavity", 34)]);
    assert.throws(() => pins.digitalOutput(5), /pin 5 belongs to no driver: declare it in config.device.drivers/);
    assert.throws(() => pins.digitalOutput(34), /pin 34 is the input of sensor cavity, not an output/);
    assert.throws(() => pins.pwmOutput(26, 1000), /pin 26 \(grill\) is a digital output for a relay, not a PWM one/);
    assert.throws(() => pins.digitalOutput(25), /pin 25 \(oven\) is a PWM output for a heater, not a digital one/);
    assert.throws(() => pins.temperatureInput("probe", 34), /no sensor "probe"/);
    assert.throws(() => pins.temperatureInput("cavity", 35), /sensor cavity is not on pin 35/);
    assert.throws(() => pins.pwmOutput(25, 0), /frequency/);
  });

  it("refuse declarations that share a pin or name a missing sensor", () => {
    assert.throws(() => bench([relay("grill", 26), relay("fan", 26)]), /pin 26 is declared twice \(driver grill, driver fan\)/);
    assert.throws(() => bench([relay("grill", 34)], [sensor("cavity", 34)]), /pin 34 is declared twice \(sensor cavity, driver grill\)/);
    assert.throws(() => bench([heater("oven", 25, "relay", "cavity")]), /heater oven names sensor "cavity", which is not declared/);
  });

  it("keep a bounded history of changes", () => {
    const { pins } = bench([relay("fan", 27)]);
    const fan = pins.digitalOutput(27);
    for (let i = 0; i < WRITE_HISTORY + 500; i++) fan.write((i % 2) as 0 | 1);
    assert.equal(pins.writes.length, WRITE_HISTORY);
    assert.equal(pins.writes.at(-1)!.level, 1);
  });

  it("give copies of the history: a caller's change to what it read is not the history's", () => {
    const { pins } = bench([relay("grill", 26)]);
    const grill = pins.digitalOutput(26);
    grill.write(1);
    grill.write(0);
    const read = pins.writes as unknown as { level: number }[];
    read[0]!.level = 7;
    assert.deepEqual(pins.writes.map((write) => write.level), [1, 0]);
  });

  it("sum up a switching heater's pin instead of logging every toggle", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "relay", undefined)]);
    const oven = pins.digitalOutput(25);
    // Time-proportional switching: on 3 s, off 7 s, for two minutes.
    for (let period = 0; period < 12; period++) {
      oven.write(1);
      host.clock.advance(3000);
      oven.write(0);
      host.clock.advance(7000);
    }
    host.clock.advance(60_000);
    assert.deepEqual(lines, [
      "pin 25 (oven) -> 1", // the first write
      "pin 25 (oven) -> 0", // the first changes show one by one: a command, STOP, a trip all look like this
      "pin 25 (oven) -> 1",
      "pin 25 (oven) -> 0",
      "pin 25 (oven) -> 0 (6 changes in 30 s, on 30% of the time)", // then it is switching: one line per 30 s
      "pin 25 (oven) -> 0 (6 changes in 30 s, on 30% of the time)",
      "pin 25 (oven) -> 0 (6 changes in 30 s, on 30% of the time)",
      "pin 25 (oven) -> 0 (2 changes in 14 s, on 21% of the time)", // stopped at 113 s, settled a period later
    ]);
    assert.equal(pins.writes.length, 24, "the history keeps every change");
    oven.write(1); // after a quiet spell a change shows at once
    assert.equal(lines.at(-1), "pin 25 (oven) -> 1");
    assert.equal(lines.length, 9);
  });

  it("show a heater's first change after its safe state at once", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "relay", undefined)]);
    const oven = pins.digitalOutput(25);
    oven.write(0); // the safe state at start
    host.clock.advance(2000);
    oven.write(1); // PREHEAT, two seconds later
    assert.deepEqual(lines, ["pin 25 (oven) -> 0", "pin 25 (oven) -> 1"]);
  });

  it("show a heater that stops switching within a period, not at the end of the summary", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "relay", undefined)]);
    const oven = pins.digitalOutput(25);
    oven.write(0); // the safe state at start
    for (const level of [1, 0, 1] as const) {
      oven.write(level); // three changes, shown one by one
      host.clock.advance(2000);
    }
    oven.write(0); // from here the pin counts as switching
    host.clock.advance(1000);
    oven.write(1);
    host.clock.advance(1000);
    oven.write(0); // STOP
    const shown = ["pin 25 (oven) -> 0", "pin 25 (oven) -> 1", "pin 25 (oven) -> 0", "pin 25 (oven) -> 1"];
    assert.deepEqual(lines, shown);
    host.clock.advance(10_000);
    assert.deepEqual(lines, shown, "still within a period of the last change");
    host.clock.advance(1000);
    assert.deepEqual(lines, [...shown, "pin 25 (oven) -> 0 (3 changes in 13 s, on 8% of the time)"]);
    assert.equal(host.clock.pending, 0);
  });

  it("set a timer per settle time for a heater switching fast, not one per change, and still settle after the last change", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "pwm", undefined)]);
    const set = host.setTimeout.bind(host);
    let timers = 0;
    host.setTimeout = (callback: () => void, ms: number) => {
      timers += 1;
      return set(callback, ms);
    };
    const oven = pins.pwmOutput(25, 1000);
    oven.write(0);
    for (const level of [FULL, 0, FULL]) {
      oven.write(level); // shown one by one
      host.clock.advance(1);
    }
    const before = timers;
    // A duty retuned every millisecond for 1.5 s: held back and summed up (PWM settles after 2 s).
    for (let change = 0; change < 1500; change++) {
      oven.write(change % 2 === 0 ? 0 : 512);
      host.clock.advance(1);
    }
    // One timer re-armed at each settle time was one per change, 1,500 kept for 2 s each.
    assert.ok(timers - before <= 4, `${timers - before} timers set for 1,500 changes`);
    assert.equal(lines.length, 4, "the changes after the first ones are held back");
    host.clock.advance(1998);
    assert.equal(lines.length, 4, "not settled: the last change was under 2 s ago");
    host.clock.advance(2);
    assert.deepEqual(lines.slice(4), ["pin 25 (oven) pwm 50% (1500 changes in 3 s, mean output 39%)"]);
    assert.equal(host.clock.pending, 0);
  });

  it("log a single held-back change as a plain change", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "pwm", undefined)]);
    const oven = pins.pwmOutput(25, 1000);
    oven.write(0);
    for (const level of [FULL, 0, FULL]) {
      oven.write(level);
      host.clock.advance(1000);
    }
    oven.write(0);
    assert.equal(lines.length, 4, "the fourth change within 30 s is held back");
    host.clock.advance(2000);
    assert.deepEqual(lines.slice(4), ["pin 25 (oven) pwm 0%"]);
  });

  it("log a heater's held-back changes when the pins close", () => {
    const { host, pins, lines } = bench([heater("oven", 25, "pwm", undefined)]);
    const oven = pins.pwmOutput(25, 1000);
    oven.write(0);
    for (const level of [FULL, 0, FULL]) {
      oven.write(level);
      host.clock.advance(500);
    }
    oven.write(0);
    host.clock.advance(500);
    oven.write(FULL);
    host.clock.advance(500);
    pins.close();
    assert.deepEqual(lines.slice(4), ["pin 25 (oven) pwm 100% (2 changes in 1 s, mean output 50%)"]);
    assert.throws(() => oven.write(1), /closed/);
    assert.equal(host.clock.pending, 0, "no timer outlives close()");
  });
});

describe("thermal model", () => {
  const HEAT = 2;
  const LOSS = 0.01;

  function oven(output: "pwm" | "relay", active: ActiveLevel = "high") {
    const b = bench([heater("oven", 25, output, "cavity", active)], [sensor("cavity", 34, HEAT, LOSS, 20)]);
    return { ...b, cavity: b.pins.temperatureInput("cavity", 34), model: b.pins.thermal("cavity") };
  }

  it("rises at about heat_c_per_s at full power and settles at ambient + heat/loss", () => {
    const { host, pins, cavity } = oven("pwm");
    pins.pwmOutput(25, 1000).write(FULL);
    assert.equal(cavity.sample(), 20);
    host.clock.advance(1000);
    const first = cavity.sample() - 20;
    assert.ok(Math.abs(first - HEAT) < 0.05, `rose ${first} °C in the first second, expected about ${HEAT}`);
    host.clock.advance((20 / LOSS) * 1000); // 20 time constants
    assert.equal(cavity.sample(), 20 + HEAT / LOSS);
  });

  it("falls back toward ambient with the power off", () => {
    const { host, pins, cavity, model } = oven("pwm");
    const output = pins.pwmOutput(25, 1000);
    output.write(FULL);
    host.clock.advance(300_000);
    const hot = cavity.sample();
    output.write(0);
    host.clock.advance((10 / LOSS) * 1000); // 10 time constants
    const cooled = cavity.sample();
    assert.ok(cooled < hot);
    assert.ok(Math.abs(cooled - 20) < 0.01 * (hot - 20), `cooled to ${cooled} °C from ${hot}`);
    assert.equal(model.power, 0);
  });

  it("heats with PWM in proportion to the duty", () => {
    const { host, pins, cavity } = oven("pwm");
    pins.pwmOutput(25, 1000).write(512);
    host.clock.advance(3_000_000);
    assert.ok(Math.abs(cavity.sample() - (20 + (HEAT / LOSS) * (512 / FULL))) <= 0.1);
  });

  it("heats from a relay on half the time as from PWM at 50%", () => {
    const b = bench(
      [heater("relay_heater", 25, "relay", "a"), heater("pwm_heater", 26, "pwm", "b")],
      [sensor("a", 34, HEAT, LOSS), sensor("b", 35, HEAT, LOSS)],
    );
    const switched = b.pins.digitalOutput(25);
    b.pins.pwmOutput(26, 1000).write(512);
    const a = b.pins.temperatureInput("a", 34);
    const pwm = b.pins.temperatureInput("b", 35);
    // Time-proportional switching, period 10 s, on 5 s, sampled (as a driver does) every second.
    for (let second = 0; second < 600; second++) {
      switched.write(second % 10 < 5 ? 1 : 0);
      b.host.clock.advance(1000);
      a.sample();
    }
    const difference = Math.abs(a.sample() - pwm.sample());
    assert.ok(pwm.sample() > 60, `the PWM-heated model should be well above ambient, is ${pwm.sample()}`);
    assert.ok(difference < 3, `relay at 50% reached ${a.sample()} °C, PWM at 50% ${pwm.sample()} °C`);
  });

  it("counts a written 0 as on for an active-low heater", () => {
    const relayOven = oven("relay", "low");
    const output = relayOven.pins.digitalOutput(25);
    output.write(1);
    relayOven.host.clock.advance(10_000);
    assert.equal(relayOven.cavity.sample(), 20, "1 is off on an active-low pin");
    output.write(0);
    relayOven.host.clock.advance(1000);
    assert.ok(relayOven.cavity.sample() > 21, "0 energises an active-low pin");

    const pwmOven = oven("pwm", "low");
    pwmOven.pins.pwmOutput(25, 1000).write(0);
    assert.equal(pwmOven.model.power, 1);
  });

  it("stops heating when the heater's pin is closed", () => {
    const { pins, model } = oven("relay");
    const output = pins.digitalOutput(25);
    output.write(1);
    assert.equal(model.power, 1);
    output.close();
    assert.equal(model.power, 0);
  });

  it("reads to 0.1 °C and logs the temperature now and then, not on every sample", () => {
    const { host, pins, cavity, lines } = oven("pwm");
    pins.pwmOutput(25, 1000).write(FULL);
    lines.length = 0;
    for (let second = 0; second <= 30; second++) {
      const reading = cavity.sample();
      assert.equal(reading, Math.round(reading * 10) / 10);
      host.clock.advance(1000);
    }
    assert.deepEqual(lines, ["sensor cavity 20.0 °C", "sensor cavity 39.0 °C", "sensor cavity 56.3 °C", "sensor cavity 71.8 °C"]);
  });

  it("does not log a steady temperature", () => {
    const { host, cavity, lines } = oven("pwm");
    for (let second = 0; second < 120; second++) {
      cavity.sample();
      host.clock.advance(1000);
    }
    assert.deepEqual(lines, ["sensor cavity 20.0 °C"]);
  });

  it("lets a test break the sensor or set its temperature", () => {
    const { cavity, model } = oven("relay");
    model.setTemperature(460);
    assert.equal(cavity.sample(), 460);
    model.fault = "open circuit";
    assert.throws(() => cavity.sample(), /sensor cavity: open circuit/);
    model.fault = undefined;
    cavity.close();
    assert.throws(() => cavity.sample(), /sensor cavity is closed/);
  });
});

describe("the example devices on simulated pins", () => {
  /** The device's declaration from its manifest, its drivers running on simulated pins. */
  function run(device: string, adc?: AdcRange) {
    const source = `devices/${device}/manifest.json`;
    const declaration = readDeviceDeclaration(readManifestConfig(join(projectRoot(), source)).device, source);
    const host = new FakeHost();
    const lines: string[] = [];
    const trips: Trip[] = [];
    const pins = createSimulatedPins({ drivers: declaration.drivers, sensors: declaration.sensors, host, log: (line) => lines.push(line), adc });
    const drivers = createDrivers(declaration.drivers, declaration.sensors, { host, pins, onTrip: (trip) => trips.push(trip) });
    const driver = (name: string): Driver => drivers.get(name)!;
    return { declaration, host, pins, lines, trips, driver };
  }

  for (const device of ["microwave", "relayboard", "heater"]) {
    it(`${device}: every output is written its safe state at start, one line each`, () => {
      const { declaration, pins, lines } = run(device);
      assert.deepEqual(
        lines,
        declaration.drivers.map((d) => `pin ${d.pin} (${d.name}) ${d.kind === "dimmer" || (d.kind === "heater" && d.output === "pwm") ? "pwm 0%" : "-> 0"}`),
      );
      pins.close();
    });
  }

  it("microwave: PREHEAT 350 gets the cavity there in a few minutes and holds it below the cutoff", async () => {
    const { host, pins, lines, trips, driver } = run("microwave");
    await driver("oven").set(350);
    let highest = 0;
    for (let second = 0; second < 600; second++) {
      host.clock.advance(1000);
      highest = Math.max(highest, pins.thermal("cavity").temperature);
    }
    const cavity = pins.thermal("cavity").temperature;
    assert.deepEqual(trips, []);
    assert.ok(Math.abs(cavity - 350) < 20, `the cavity is at ${cavity.toFixed(1)} °C after 10 min, target 350`);
    assert.ok(highest < 450, `the cavity reached ${highest.toFixed(1)} °C, the cutoff is 450`);
    assert.ok(lines.length < 120, `${lines.length} log lines in 10 min:\n${lines.join("\n")}`);
    pins.close();
  });

  describe("on the ESP32 profile (sensors read through the ESP32's ADC range)", () => {
    it("heater: HEAT 21 warms the room from 18 °C and holds it, read to a 12-bit step", async () => {
      const { host, pins, trips, driver, lines } = run("heater", ESP32_ADC);
      await driver("heater").set(21);
      host.clock.advance(30 * 60_000);
      const room = pins.thermal("room").temperature;
      assert.deepEqual(trips, []);
      assert.ok(Math.abs(room - 21) < 1.5, `the room is at ${room.toFixed(1)} °C after 30 min, target 21`);
      // 18 °C is 1,340 mV from the AD8495: 2240 of 4095, which reads back as 18.0 °C.
      assert.equal(lines[2], "sensor room 18.0 °C", lines.join("\n"));
      pins.close();
    });

    it("an open sensor reads the ADC's floor, about -222 °C, not a throw: the plausible window trips the heater to safe", async () => {
      const { host, pins, trips, driver } = run("heater", ESP32_ADC);
      await driver("heater").set(21);
      pins.thermal("room").fault = "open circuit";
      host.clock.advance(5_000);
      assert.equal(trips.length, 1, JSON.stringify(trips));
      assert.match(JSON.stringify(trips[0]), /-222\.0 °C, outside its plausible window/);
      assert.equal(pins.level("heater"), 0, "the heater's relay is off");
      pins.close();
    });

    it("a sensor scaled for 3300 mV (vref_mv) reads a 25 °C room as about 120 °C, as on the board", () => {
      const b = bench([], [{ ...sensor("room", 34), analog: { mvAt0C: 1250, mvPerC: 5, vrefMv: 3300 } }], ESP32_ADC);
      b.pins.thermal("room").setTemperature(25);
      const reading = b.pins.temperatureInput("room", 34).sample();
      assert.ok(Math.abs(reading - 120.4) < 0.2, `read ${reading} °C`);
    });

    it("microwave: the AD8495's 5 mV/°C reaches the ADC's 2450 mV at 240 °C, so PREHEAT 350 ends in a sensor failure with the oven safe", async () => {
      const { host, pins, trips, driver } = run("microwave", ESP32_ADC);
      await driver("oven").set(350);
      for (let second = 0; second < 600 && trips.length === 0; second++) host.clock.advance(1000);
      assert.equal(trips.length, 1, "one trip");
      assert.match(JSON.stringify(trips[0]), /reads 4095 of 4095 on pin 34: at the top of the ADC's range, above 240 °C with this scale/);
      const cavity = pins.thermal("cavity").temperature;
      assert.ok(cavity > 235 && cavity < 260, `tripped with the cavity at ${cavity.toFixed(1)} °C`);
      assert.equal(pins.level(25), 0, "the oven's relay is off");
      pins.close();
    });
  });

  it("heater: HEAT 21 warms the room from 18 °C and holds it", async () => {
    const { host, pins, trips, driver } = run("heater");
    await driver("heater").set(21);
    host.clock.advance(30 * 60_000);
    const room = pins.thermal("room").temperature;
    assert.deepEqual(trips, []);
    assert.ok(Math.abs(room - 21) < 1.5, `the room is at ${room.toFixed(1)} °C after 30 min, target 21`);
    pins.close();
  });
});
