// How much plaintext one TLS record may carry so that the whole record fits the socket's send
// room: on ESP32 (lwip) a write larger than the room fails outright ("would block") and the
// connection ends, so the record's own overhead must be left free.

/**
 * Bytes kept free per record, as the SDK's own examples/io/tcp/tlssocket/tlssocket.js does.
 * The largest overhead of a suite the SDK offers is a CBC-SHA256 record: 5 header + 16 IV +
 * 32 MAC + up to 16 padding = 69 bytes (an AES-GCM record adds 29).
 */
export const RECORD_MARGIN = 96;
/** TLS's largest record payload (2^14; the SDK's session throws "too large" above it). */
export const MAX_RECORD_PAYLOAD = 16_384;

/** Plaintext bytes one record may carry with `writable` bytes of send room; 0 or less: wait for room. */
export function recordPayloadRoom(writable: number): number {
  return Math.min(writable - RECORD_MARGIN, MAX_RECORD_PAYLOAD);
}
