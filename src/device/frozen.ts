// Deep freezing for what the device layer hands out. Object.freeze leaves a Map's entries
// writable, so a frozen Map also gets set/delete/clear that refuse.

function refuse(): never {
  throw new TypeError("read-only: the device declaration and parsed commands are frozen");
}

const REFUSED = ["set", "delete", "clear"] as const;

/**
 * A Map whose set/delete/clear refuse from the moment it is made, from its prototype: the Map of
 * every parsed command's operand values is one, made without giving each its own three methods
 * (three property definitions per command, the largest part of freezing it).
 */
class ReadonlyEntries<K, V> extends Map<K, V> {
  constructor(entries: readonly (readonly [K, V])[]) {
    super();
    for (const [key, value] of entries) super.set(key, value);
  }
}
// defineProperty, not assignment: Map.prototype is frozen on XS (the override mistake).
for (const method of REFUSED) Object.defineProperty(ReadonlyEntries.prototype, method, { value: refuse });
Object.freeze(ReadonlyEntries.prototype);
Object.freeze(ReadonlyEntries);

/** Freezes `value` and everything reachable from it (objects, arrays, Maps); returns it. */
export function deepFreeze<T>(value: T): T {
  // Frozen already means frozen by this function: nothing else here freezes shallowly.
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    if (!(value instanceof ReadonlyEntries)) for (const method of REFUSED) Object.defineProperty(value, method, { value: refuse });
    Object.freeze(value);
    for (const [key, entry] of value) {
      deepFreeze(key);
      deepFreeze(entry);
    }
    return value;
  }
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

/** A deep-frozen Map of `entries`, as deepFreeze(new Map(entries)) but cheaper to make. */
export function frozenMap<K, V>(entries: readonly (readonly [K, V])[]): ReadonlyMap<K, V> {
  return deepFreeze(new ReadonlyEntries(entries));
}
