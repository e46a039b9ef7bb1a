// Comms: probebook registers no comm targets (no widgets yet). comm_info says
// so; a comm_open is closed politely, as ipykernel does for unknown targets, so
// the frontend does not wait on a comm that will never answer.
import type { Handler } from "./types.js";

export const handleCommInfo: Handler<"comm_info_request"> = async ({ reply }) => {
  reply({ status: "ok", comms: {} });
};

export const handleCommOpen: Handler<"comm_open"> = async ({ request, publish, kernel }) => {
  const { comm_id: commId, target_name: target } = request.content;
  kernel.log.warn(`comm_open for target "${target}" refused: probebook registers no comm targets; closing comm ${commId}`);
  publish("comm_close", { comm_id: commId, data: {} });
};

export const handleCommMsg: Handler<"comm_msg"> = async ({ request, kernel }) => {
  kernel.log.warn(`comm_msg for unknown comm ${request.content.comm_id} ignored (no comms are open)`);
};

export const handleCommClose: Handler<"comm_close"> = async ({ request, kernel }) => {
  kernel.log.info(`comm_close for unknown comm ${request.content.comm_id} ignored`);
};
