// The accounts of a fleet (`npm run hub -- --fleet N`, used by `npm run fleet`): numbered names,
// zero-padded so that they sort in order, made in bulk with the hub's other accounts.

export const FLEET_PREFIX = "fleet-";
/** Most accounts one hub command makes for a fleet. */
export const FLEET_MAX = 100_000;

/** The n-th fleet account's name, n from 1: fleet-00001. */
export function fleetUser(n: number): string {
  return `${FLEET_PREFIX}${String(n).padStart(5, "0")}`;
}

/** fleet-00001 ... fleet-<count>. */
export function fleetUsers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => fleetUser(i + 1));
}
