// The errors a cell gets, written for the person who wrote it, with a code
// for programs and the facts behind it. Every runtime error that is the
// user's to handle is a ProbebookError: it crosses the sandbox boundary as
// data (errorData) and is rebuilt in the cell with its code, details and, for
// a verifier rejection, the whole log, so that a cell can
// `catch (e) { if (e.code === "NOT_SUPPORTED") ... }`.

/** Codes of errors planning a declaration. */
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
  | "UNKNOWN_SYMBOL"
  /** A process named by pid that does not exist. */
  | "UNKNOWN_PROCESS"
  /** tls(): no OpenSSL SSL_read/SSL_write where it looked (details: what it found instead, e.g. Go's crypto/tls). */
  | "NO_TLS_LIBRARY";

/** Every code a ProbebookError has. */
export type ErrorCode =
  | PlanErrorCode
  /** The running kernel lacks the hook or feature (details: feature, alternative). */
  | "NOT_SUPPORTED"
  /** The verifier refused a template's program (verifierLog: the whole log). */
  | "VERIFIER_REJECTED"
  /** Loading or attaching needs privileges the kernel process lacks (EPERM, EACCES). */
  | "PERMISSION"
  /** Loading a template failed otherwise (details.errno). */
  | "LOAD_FAILED"
  /** Attaching a program failed (details.errno, the attach point). */
  | "ATTACH_FAILED"
  /** The probe's maps would not fit in the kernel's memory budget (host/memory-budget.ts; details: asked, used, budget). */
  | "MEMORY_BUDGET";

export class ProbebookError extends Error {
  override readonly name: string = "ProbebookError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable facts: suggestions, the real fields, the feature, errno, ... */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** A verifier rejection's whole log. */
    readonly verifierLog?: string,
  ) {
    super(message);
  }
}

/** A declaration that cannot be planned. */
export class PlanError extends ProbebookError {
  override readonly name = "PlanError";
  declare readonly code: PlanErrorCode;
  constructor(code: PlanErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(code, message, details);
  }
}

/** An error as data, for the trip across the sandbox boundary (JSON). */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  verifierLog?: string;
}

/** `error` as data: name and message, and a ProbebookError's (or a Node-style error's) code,
 *  details made JSON-safe (bigints as strings) and verifier log. */
export function errorData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const e = error as Error & { code?: unknown; details?: unknown; verifierLog?: unknown };
  return {
    name: e.name || "Error",
    message: e.message,
    ...(typeof e.code === "string" ? { code: e.code } : {}),
    ...(e.details && typeof e.details === "object" ? { details: plain(e.details) as Record<string, unknown> } : {}),
    ...(typeof e.verifierLog === "string" ? { verifierLog: e.verifierLog } : {}),
  };
}

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "null");
}
