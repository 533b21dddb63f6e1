// Deep freezing for what the device layer hands out. Object.freeze leaves a Map's entries
// writable, so a frozen Map also gets its own set/delete/clear that refuse.

function refuse(): never {
  throw new TypeError("read-only: the device declaration and parsed commands are frozen");
}

/** Freezes `value` and everything reachable from it (objects, arrays, Maps); returns it. */
export function deepFreeze<T>(value: T): T {
  // Frozen already means frozen by this function: nothing else here freezes shallowly.
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    // defineProperty, not assignment: Map.prototype is frozen on XS (the override mistake).
    for (const method of ["set", "delete", "clear"]) Object.defineProperty(value, method, { value: refuse });
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
