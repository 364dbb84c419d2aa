/**
 * How much one teaching may ask for: a fact of the vocabulary both floors speak, not of the codec.
 * LLM_TEACH's payload module bounds its fields with these, the core refuses beyond them, and the
 * bridge's REST and /ws APIs validate with them. One owner, so the wire, the core and HTTP agree.
 */

/** Longest text one teaching takes, in UTF-8 bytes (4 KiB). */
export const MAX_TEACH_TEXT = 4096;
/** Most optimiser steps a request may ask for (the time budget may stop sooner). */
export const MAX_TEACH_STEPS = 1000;
/** Steps when a request names none (0 on the wire). */
export const DEFAULT_TEACH_STEPS = 100;
