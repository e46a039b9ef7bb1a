// kernel_info_request, on shell and on control. Never waits for the runtime.
import { kernelInfo } from "../kernel-info.js";
import type { Handler } from "./types.js";

export const handleKernelInfo: Handler<"kernel_info_request"> = async ({ reply }) => {
  reply(kernelInfo());
};
