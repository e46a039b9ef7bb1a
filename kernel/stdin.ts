// The stdin channel is the kernel asking the frontend: input_request goes to
// the client that sent the running execute_request (same ZeroMQ identity on
// its stdin socket), and that client's input_reply settles the pending prompt.
import type { Logger } from "./log.js";
import type { IncomingMessage } from "./protocol/messages.js";

interface Pending {
  /** The execute_request that asked, and the input_request we sent: a reply may name either as parent. */
  executeId: string;
  inputRequestId: string;
  resolve: (value: string) => void;
  reject: (err: Error) => void;
}

/** Sends input_request and returns its msg_id. */
export type SendInputRequest = (parent: IncomingMessage<string, unknown>, prompt: string, password: boolean) => string;

function interrupted(): Error {
  const err = new Error("interrupted while waiting for input");
  err.name = "InterruptedError";
  return err;
}

export class StdinBroker {
  private pending: Pending | undefined;

  constructor(
    private readonly send: SendInputRequest,
    private readonly log: Logger,
  ) {}

  request(parent: IncomingMessage<string, unknown>, prompt: string, password: boolean, signal: AbortSignal): Promise<string> {
    if (this.pending) {
      return Promise.reject(new Error("another input request is still waiting for an answer; await the first one"));
    }
    if (signal.aborted) return Promise.reject(interrupted());
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        this.pending = undefined;
        reject(interrupted());
      };
      signal.addEventListener("abort", onAbort, { once: true });
      const pending: Pending = {
        executeId: parent.header.msg_id,
        inputRequestId: "",
        resolve: (value) => {
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        reject,
      };
      this.pending = pending;
      pending.inputRequestId = this.send(parent, prompt, password);
    });
  }

  /** Called with every input_reply that arrives on stdin. */
  receive(reply: IncomingMessage<"input_reply", { value: string }>): void {
    const pending = this.pending;
    if (!pending) {
      this.log.warn(`input_reply ${reply.header.msg_id} arrived but no input was requested; ignored`);
      return;
    }
    const parentId = (reply.parent_header as { msg_id?: string }).msg_id;
    // jupyter_client sends input_reply without a parent; JupyterLab names the input_request.
    if (parentId !== undefined && parentId !== pending.inputRequestId && parentId !== pending.executeId) {
      this.log.warn(`input_reply answers ${parentId}, but input is pending for ${pending.inputRequestId}; ignored`);
      return;
    }
    this.pending = undefined;
    pending.resolve(reply.content.value);
  }
}
