// How far bench:commands' device/echo bot p99 ratio would move on another run of the same build:
// a paired bootstrap over the rounds. The two contenders ran each round back to back, so a round
// is the unit that shares the machine's moment; resampling whole rounds, the same ones for both,
// keeps what they shared and varies what they did not (which rounds a burst of other load hit).

import { seededRandom } from "../test/support/seeded-random.js";
import { percentile } from "./process-meter.js";

export interface RatioSpread {
  /** The ratio of the pooled p-th percentiles, as printed on its own. */
  ratio: number;
  /** The 5th and 95th percentiles of the resampled ratios: a 90% interval. */
  low: number;
  high: number;
  /** The share (0-1) of resamples whose ratio is at most `target`. */
  withinShare: number;
}

export interface RatioSpreadOptions {
  /** The percentile compared (99 for p99). */
  p: number;
  /** The ratio the share is counted against (1.5). */
  target: number;
  /** Resamples (1,000 unless told). */
  resamples?: number;
  /** Seeds the resampling, so that the same rounds give the same interval (1 unless told). */
  seed?: number;
}

/**
 * The spread of percentile(device)/percentile(bot) over resamples of the rounds: each resample
 * draws as many rounds as were run, with replacement, and pools the device's and the bot's times of
 * the rounds drawn. `device[i]` and `bot[i]` are the times of round i. Throws when the two do not
 * have the same rounds, or a contender has no times at all.
 */
export function ratioSpread(device: readonly (readonly number[])[], bot: readonly (readonly number[])[], options: RatioSpreadOptions): RatioSpread {
  if (device.length !== bot.length || device.length === 0) throw new Error(`ratioSpread: ${device.length} rounds of the device against ${bot.length} of the bot`);
  const ratio = pooledPercentile(device, device.map((_, i) => i), options.p) / pooledPercentile(bot, bot.map((_, i) => i), options.p);
  if (!Number.isFinite(ratio)) throw new Error("ratioSpread: a contender has no times");
  const random = seededRandom(options.seed ?? 1);
  const resamples = options.resamples ?? 1_000;
  const ratios = new Float64Array(resamples);
  let within = 0;
  for (let r = 0; r < resamples; r++) {
    const drawn = Array.from({ length: device.length }, () => Math.floor(random() * device.length));
    const value = pooledPercentile(device, drawn, options.p) / pooledPercentile(bot, drawn, options.p);
    ratios[r] = value;
    if (value <= options.target) within += 1;
  }
  ratios.sort();
  return { ratio, low: percentile(ratios, 5), high: percentile(ratios, 95), withinShare: within / resamples };
}

function pooledPercentile(rounds: readonly (readonly number[])[], drawn: readonly number[], p: number): number {
  let length = 0;
  for (const i of drawn) length += rounds[i]!.length;
  const pooled = new Float64Array(length);
  let at = 0;
  for (const i of drawn) {
    pooled.set(rounds[i]!, at);
    at += rounds[i]!.length;
  }
  pooled.sort();
  return percentile(pooled, p);
}
