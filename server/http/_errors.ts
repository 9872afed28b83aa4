/**
 * The error the HTTP layer answers by itself, before any S3 handler runs (a malformed or
 * oversized request head, broken chunked framing).
 *
 * @module
 */

/** A request the transport refuses with a plain HTTP status, then closes the connection. */
export class HttpError extends Error {
  /** The HTTP status to answer with. */
  readonly status: number;

  /**
   * @param status The HTTP status (400, 431, 501...).
   * @param message What could not be read, and why.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
  }
}

/**
 * Thrown by a request handler to close the connection at once, with no answer at all (the fault
 * switch's `drop`): the client sees the connection go, as when a server or a proxy dies.
 */
export class ConnectionDropped extends Error {
  constructor() {
    super("connection dropped on purpose");
    this.name = "ConnectionDropped";
  }
}
