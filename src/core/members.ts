/** Members of the objects built from parsed JSON and YAML documents. */

/** Sets `object[key]`, even when the key is "__proto__". */
export function setMember(object: Record<string, unknown>, key: string, value: unknown): void {
  // A plain assignment to "__proto__" would replace the prototype of the object being built.
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
