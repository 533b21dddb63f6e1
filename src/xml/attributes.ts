// The attributes object of an element as the reader builds it: every attribute kept, whatever its
// name. A plain object loses `__proto__` (assigning it sets the prototype), and on XS, where a
// preloaded Object.prototype is frozen, assigning `toString` or `constructor` throws (the
// "override mistake"). Such a name moves the element's attributes into an object without a
// prototype; ordinary elements keep a plain object, which every ltx code path expects.

export type Attributes = Record<string, string>;

const hasOwn = Object.prototype.hasOwnProperty;

/** Sets one attribute; returns the object to keep using (a new one the first time a name needs it). */
export function setAttribute(attrs: Attributes, name: string, value: string): Attributes {
  if (!(name in Object.prototype)) {
    attrs[name] = value;
    return attrs;
  }
  const kept = Object.getPrototypeOf(attrs) === null ? attrs : withoutPrototype(attrs);
  // The helper below goes, so that the attribute takes its place in order (and shows).
  if (name === "hasOwnProperty") Reflect.deleteProperty(kept, name);
  define(kept, name, value, true);
  return kept;
}

/** A copy of `attrs` with `xmlns` first (a stanza that inherits the stream's namespace). */
export function withNamespace(xmlns: string, attrs: Attributes): Attributes {
  let copy: Attributes = {};
  copy.xmlns = xmlns;
  for (const name of Object.keys(attrs)) copy = setAttribute(copy, name, attrs[name]);
  return copy;
}

function withoutPrototype(attrs: Attributes): Attributes {
  const kept = Object.create(null) as Attributes;
  for (const name of Object.keys(attrs)) define(kept, name, attrs[name], true);
  // ltx's Element#getXmlns calls attrs.hasOwnProperty(): give it one that does not show as an
  // attribute (an attribute of that name replaces it, and then ltx's getXmlns cannot run).
  define(kept, "hasOwnProperty", hasOwn, false);
  return kept;
}

function define(attrs: Attributes, name: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(attrs, name, { value, enumerable, writable: true, configurable: true });
}
