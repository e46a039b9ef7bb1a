// The kernel's only diagnostic channel is stderr: stdout of a kernel process is
// not shown to the notebook user, and Jupyter servers capture stderr into their
// own log, which is where an operator looks for dropped or malformed messages.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function stderrLogger(prefix = "probebook"): Logger {
  const write = (level: string, message: string) => {
    process.stderr.write(`[${prefix} ${level} ${new Date().toISOString()}] ${message}\n`);
  };
  return {
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}

/** For callers that want the kernel quiet (tests that count log lines use a collecting logger instead). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
