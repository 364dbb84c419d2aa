/**
 * The program store's vocabulary: what a program name is and how large programs and messages may
 * be. The wire's PROGRAM payload (payloads/program.ts) and the core's ProgramLibrary both enforce
 * it, so it lives here, below both; neither reads it out of the other.
 */
/** Names: 1..32 of A-Z 0-9 _ - (lower case accepted, stored upper case). */
export const MAX_PROGRAM_NAME = 32;
/**
 * Text one message carries: at most 64 KiB of UTF-8 in a SAVE or APPEND request or a LOAD
 * reply. A LOAD reply is the text alone, so it is exactly what XP10 reassembles at most
 * (65,536 bytes).
 */
export const MAX_PROGRAM_TEXT = 64 * 1024;
/** A stored program: at most 1 MiB of UTF-8, saved with SAVE then APPENDs and read with READs. */
export const MAX_PROGRAM_SIZE = 1024 * 1024;
/** Text one READ reply carries at most (cut before a UTF-8 sequence, so it is whole characters). */
export const MAX_PROGRAM_READ = 32 * 1024;
/** Programs a store keeps; a LIST reply names them all (≤ 1024 × 41 + 2 bytes). */
export const MAX_PROGRAMS = 1024;

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** The stored form of a program name, or undefined when it is no valid name. */
export function normalizeProgramName(name: string): string | undefined {
  return NAME_PATTERN.test(name) ? name.toUpperCase() : undefined;
}

/** Why `name` is no program name, for an error message; undefined when it is one. */
export function programNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a program name is empty';
  if (name.length > MAX_PROGRAM_NAME) return `program name is ${name.length} characters, at most ${MAX_PROGRAM_NAME}`;
  if (!NAME_PATTERN.test(name)) return `program name ${JSON.stringify(name)} may hold only A-Z, 0-9, _ and -`;
  return undefined;
}
