// The connection file a Jupyter frontend writes before launching the kernel:
// where to bind the five sockets and the key that signs every message.
import { readFile } from "node:fs/promises";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type SocketName = "shell" | "control" | "stdin" | "iopub" | "hb";

function fail(path: string, problem: string): never {
  throw new Error(`cannot use connection file ${path}: ${problem}`);
}

/** Validates parsed connection-file JSON. `path` is only used in error messages. */
export function parseConnectionInfo(json: unknown, path = "<connection info>"): ConnectionInfo {
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail(path, "it is not a JSON object");
  const raw = json as Record<string, unknown>;
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") fail(path, `transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  const ip = raw.ip ?? "127.0.0.1";
  if (typeof ip !== "string" || ip === "") fail(path, "ip must be a non-empty string");
  const ports = {} as Record<`${SocketName}_port`, number>;
  for (const name of ["shell", "control", "stdin", "iopub", "hb"] as const) {
    const port = raw[`${name}_port`];
    // With ipc the "port" is a suffix of the socket path, still a non-negative integer.
    if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
      fail(path, `${name}_port must be an integer port number, got ${JSON.stringify(port)}`);
    }
    ports[`${name}_port`] = port;
  }
  const key = raw.key ?? "";
  if (typeof key !== "string") fail(path, "key must be a string");
  const scheme = raw.signature_scheme ?? "hmac-sha256";
  if (typeof scheme !== "string") fail(path, "signature_scheme must be a string");
  return {
    transport,
    ip,
    ...ports,
    key,
    signature_scheme: scheme,
    ...(typeof raw.kernel_name === "string" ? { kernel_name: raw.kernel_name } : {}),
  };
}

export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    fail(path, `${(err as Error).message} (the frontend passes it with -f; was the kernel started by hand?)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(path, `it is not valid JSON (${(err as Error).message})`);
  }
  return parseConnectionInfo(json, path);
}

/** The ZeroMQ endpoint for one socket, e.g. tcp://127.0.0.1:5555 or ipc://kernel-1234-5. */
export function endpoint(info: ConnectionInfo, socket: SocketName): string {
  const port = info[`${socket}_port`];
  return info.transport === "tcp" ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}
