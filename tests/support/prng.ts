/**
 * The seeded pseudo-random number generator randomised tests use (fuzzing, fault injection), so
 * they repeat exactly from their seed: core's, which the server's fault switch uses too.
 *
 * @module
 */

export { prng } from "../../core/prng.ts";
