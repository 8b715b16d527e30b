// What every gRPC client and server of cairn needs to say about errors: whether a thrown value is
// a gRPC status (branch on its code, never on its text), and a status message cut to what an HTTP/2
// trailer can carry.

/** What a gRPC status error carries: its numeric code (grpc-js's `status`) and the server's details. */
export interface GrpcError {
  code: number;
  details: string;
}

/** `e` is an error grpc-js rejected a call with (an Error with a numeric code and details). */
export function isGrpcError(e: unknown): e is Error & GrpcError {
  return (
    e instanceof Error &&
    typeof (e as Partial<GrpcError>).code === 'number' &&
    typeof (e as Partial<GrpcError>).details === 'string'
  );
}

/** The most of a status message sent (UTF-8 bytes): it travels in an HTTP/2 trailer. */
export const MAX_DETAILS_BYTES = 2048;

/**
 * A status message cut to `maxBytes` of UTF-8. Refusals quote the offending value, which can be
 * megabytes long; a grpc-message trailer that big exceeds the client's header-list limit and
 * wedges its connection (that call and every later one on it hang until the deadline).
 */
export function boundDetails(details: string, maxBytes = MAX_DETAILS_BYTES): string {
  if (Buffer.byteLength(details) <= maxBytes) return details;
  let cut = details.slice(0, 1000);
  while (Buffer.byteLength(cut) > maxBytes - 64) cut = cut.slice(0, -1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // no half of a surrogate pair
  return `${cut}... (${Buffer.byteLength(details)} bytes in all)`;
}
