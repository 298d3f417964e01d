/**
 * Removes the `Object.prototype.__proto__` accessor, as `node --disable-proto=delete` does:
 * a caller's `"__proto__"` key can then never reach an object's prototype, in our code or in a
 * dependency's. Idempotent.
 */
export function disablePrototypeAccessor(): void {
  // biome-ignore lint/suspicious/noProto: removing the accessor is the point
  delete (Object.prototype as { __proto__?: unknown }).__proto__;
}

// Imported first by the CLI (and importing nothing), so no module ever runs with the accessor.
disablePrototypeAccessor();
