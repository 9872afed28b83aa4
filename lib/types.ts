/**
 * Types shared by several modules of the library. A leaf module: it imports nothing.
 *
 * @module
 */

/** Bytes moved so far, reported during a transfer. */
export interface Progress {
  /** Bytes transferred. */
  loaded: number;
  /** Total bytes, when known. */
  total?: number;
}
