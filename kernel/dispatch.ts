// One request, start to finish: status busy, validate content, run the
// handler, status idle (in a finally, so a failing handler can't leave the
// frontend showing a busy kernel). Requests that can't be served still get the
// reply the protocol pairs with them, in its error form.
import { routeFor } from "./handlers/index.js";
import type { KernelServices, Publish } from "./handlers/types.js";
import { describeError } from "./log.js";
import type { Header, IncomingMessage } from "./protocol/messages.js";
import { ContentError, readContent } from "./protocol/validate.js";

export interface Transport {
  /** Sends `msgType` back on the channel `request` came in on, to its sender. */
  reply(request: IncomingMessage, msgType: string, content: unknown): void;
  publish(parent: Header | undefined, msgType: string, content: unknown): void;
}

/** `foo_request` -> `foo_reply`; undefined for messages that aren't requests (comm_msg). */
export function replyTypeOf(msgType: string): string | undefined {
  return msgType.endsWith("_request") ? `${msgType.slice(0, -"_request".length)}_reply` : undefined;
}

export interface DispatchOptions {
  /** stop_on_error is in force: answer an execute_request "aborted" without running it. */
  abort?: boolean;
}

export async function dispatch(
  message: IncomingMessage,
  transport: Transport,
  kernel: KernelServices,
  options: DispatchOptions = {},
): Promise<void> {
  const { msg_type: msgType, msg_id: msgId } = message.header;
  const replyType = replyTypeOf(msgType);
  let replied = false;
  const sendReply = (content: unknown) => {
    if (!replyType) return;
    if (replied) {
      kernel.log.error(`${msgType} ${msgId}: a second reply was dropped (handler bug)`);
      return;
    }
    replied = true;
    transport.reply(message, replyType, content);
  };
  const fail = (ename: string, evalue: string) => {
    kernel.log.warn(`${msgType} ${msgId} on ${message.channel}: ${evalue}`);
    sendReply({ status: "error", ename, evalue, traceback: [] });
  };
  const publish: Publish = (type, content) => transport.publish(message.header, type, content);

  publish("status", { execution_state: "busy" });
  try {
    const route = routeFor(msgType);
    if (!route) {
      fail("UnknownMessageType", `probebook does not handle "${msgType}" messages`);
      return;
    }
    if (!route.channels.includes(message.channel as "shell")) {
      fail("WrongChannel", `"${msgType}" is accepted on ${route.channels.join(" and ")}, not on ${message.channel}`);
      return;
    }
    if (options.abort && msgType === "execute_request") {
      kernel.log.info(`execute_request ${msgId} aborted: an earlier cell failed with stop_on_error`);
      sendReply({ status: "aborted" });
      return;
    }
    let content: unknown;
    try {
      content = readContent(msgType as never, message.content);
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      fail("InvalidRequest", `malformed ${msgType}: ${err.message}`);
      return;
    }
    await route.handler({
      request: { ...message, content } as never,
      publish,
      reply: sendReply as never,
      kernel,
    });
    if (replyType && !replied) fail("InternalError", `the ${msgType} handler finished without replying`);
  } catch (err) {
    kernel.log.error(`${msgType} ${msgId} failed: ${describeError(err)}`);
    if (!replied) sendReply({ status: "error", ename: "InternalError", evalue: `probebook failed while handling ${msgType}: ${(err as Error)?.message ?? String(err)}`, traceback: [] });
  } finally {
    publish("status", { execution_state: "idle" });
  }
}
