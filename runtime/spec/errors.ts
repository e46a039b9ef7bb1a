// The error a declaration gets when it cannot be planned: written for the
// person who wrote the cell, with a code for programs and the facts behind it.

export type PlanErrorCode =
  | "BAD_DECLARATION"
  | "UNKNOWN_TRACEPOINT"
  | "UNKNOWN_SYSCALL"
  | "UNKNOWN_FIELD"
  | "UNSUPPORTED_FIELD"
  | "UNSUPPORTED_FILTER"
  | "TOO_MANY_FIELDS"
  | "EVENT_TOO_LARGE"
  | "UNKNOWN_BINARY"
  | "UNKNOWN_SYMBOL";

export class PlanError extends Error {
  override readonly name = "PlanError";
  constructor(
    readonly code: PlanErrorCode,
    message: string,
    /** Machine-readable facts: suggestions, the real fields, ... */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
