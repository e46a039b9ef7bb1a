// The heartbeat socket, echoed on a worker thread of its own (as ipykernel
// echoes it on a thread): the frontend's liveness check must not wait for the
// main thread, which loading the runtime (the TypeScript compiler, on the
// first cell) holds for about a second - measured: a 1.5 s heartbeat before,
// under 70 ms after, in the soak (test/soak). The worker loads the same
// zeromq package and does nothing but echo.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "./log.js";

// CommonJS, evaluated in the worker: bind, say so, echo until told to close.
const ECHO = `
const { workerData, parentPort } = require("node:worker_threads");
const zmq = require(workerData.zmqPath);
const rep = new zmq.Reply({ linger: 0, maxMessageSize: workerData.maxBytes });
// Closing the port too lets the thread end at once (a port with a listener keeps it alive).
parentPort.on("message", () => { rep.close(); parentPort.close(); });
rep.bind(workerData.address).then(async () => {
  parentPort.postMessage({ bound: true });
  try {
    for await (const frames of rep) await rep.send(frames);
  } catch (error) {
    if (!rep.closed) parentPort.postMessage({ error: String(error) });
  }
}, (error) => parentPort.postMessage({ bindError: String(error && error.message || error) }));
`;

export interface Heartbeat {
  close(): Promise<void>;
}

/** Binds the heartbeat socket at `address` on a worker thread; rejects with the bind error. */
export async function startHeartbeat(address: string, maxBytes: number, log: Logger): Promise<Heartbeat> {
  const zmqPath = createRequire(import.meta.url).resolve("zeromq");
  const worker = new Worker(ECHO, { eval: true, workerData: { zmqPath, address, maxBytes } });
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.on("message", (m: { bound?: true; bindError?: string; error?: string }) => {
      if (m.bound) resolve();
      else if (m.bindError) reject(new Error(m.bindError));
      else if (m.error && !closing) log.error(`heartbeat stopped: ${m.error}`);
    });
    worker.once("error", (error) => (closing ? undefined : reject(error)));
    void exited.then(() => reject(new Error("the heartbeat thread exited before binding")));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  worker.unref();
  return {
    async close() {
      closing = true;
      worker.postMessage("close");
      const timer = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
