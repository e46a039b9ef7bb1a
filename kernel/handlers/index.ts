// Which handler answers which request, and on which channels it is accepted.
// Control carries what must work while a cell runs (interrupt, shutdown,
// kernel_info); everything that touches the runtime's state stays on shell,
// where requests run one at a time, in order.
import type { RequestType } from "../protocol/messages.js";
import { handleCommClose, handleCommInfo, handleCommMsg, handleCommOpen } from "./comm.js";
import { handleComplete } from "./complete.js";
import { handleExecute } from "./execute.js";
import { handleHistory } from "./history.js";
import { handleInspect } from "./inspect.js";
import { handleInterrupt } from "./interrupt.js";
import { handleIsComplete } from "./is-complete.js";
import { handleKernelInfo } from "./kernel-info.js";
import { handleShutdown } from "./shutdown.js";
import type { Handler } from "./types.js";

type ShellOrControl = "shell" | "control";

interface Route<T extends RequestType> {
  handler: Handler<T>;
  channels: readonly ShellOrControl[];
}

type Routes = { [K in Exclude<RequestType, "input_reply">]: Route<K> };

const both = ["shell", "control"] as const;

export const routes: Routes = {
  execute_request: { handler: handleExecute, channels: ["shell"] },
  complete_request: { handler: handleComplete, channels: ["shell"] },
  inspect_request: { handler: handleInspect, channels: ["shell"] },
  is_complete_request: { handler: handleIsComplete, channels: ["shell"] },
  history_request: { handler: handleHistory, channels: ["shell"] },
  comm_info_request: { handler: handleCommInfo, channels: ["shell"] },
  comm_open: { handler: handleCommOpen, channels: ["shell"] },
  comm_msg: { handler: handleCommMsg, channels: ["shell"] },
  comm_close: { handler: handleCommClose, channels: ["shell"] },
  kernel_info_request: { handler: handleKernelInfo, channels: both },
  // Also on shell for older clients; there it waits behind the running cell.
  interrupt_request: { handler: handleInterrupt, channels: both },
  shutdown_request: { handler: handleShutdown, channels: both },
};

export type RoutedType = keyof Routes;

export function routeFor(msgType: string): Route<RoutedType> | undefined {
  return Object.prototype.hasOwnProperty.call(routes, msgType) ? (routes[msgType as RoutedType] as Route<RoutedType>) : undefined;
}
