// Jupyter messaging protocol 5.3, as types. One discriminated union per
// direction: requests the kernel accepts (keyed by msg_type) and the content of
// everything it sends. Serialisation lives in wire.ts, validation of untrusted
// input in validate.ts; this file holds no logic beyond constants.

export const PROTOCOL_VERSION = "5.3";
export const DELIMITER = "<IDS|MSG>";

export type Channel = "shell" | "control" | "stdin" | "iopub";

export type JsonObject = { [key: string]: unknown };

export interface Header<T extends string = string> {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: T;
  version: string;
}

/** A message as it travels, minus the ZeroMQ routing identities. */
export interface Message<T extends string = string, C = JsonObject> {
  header: Header<T>;
  /** Empty object for messages without a parent (e.g. the kernel's "starting" status). */
  parent_header: Header | Record<string, never>;
  metadata: JsonObject;
  content: C;
  buffers: Buffer[];
}

/** A decoded, signature-checked message from a ROUTER socket, with who sent it. */
export interface IncomingMessage<T extends string = string, C = JsonObject> extends Message<T, C> {
  channel: Exclude<Channel, "iopub">;
  /** ZeroMQ routing identities; replies and stdin requests go back to these. */
  identities: Buffer[];
}

// ---------------------------------------------------------------- requests

export interface ExecuteRequest {
  code: string;
  silent: boolean;
  store_history: boolean;
  user_expressions: Record<string, string>;
  allow_stdin: boolean;
  stop_on_error: boolean;
}

export interface CompleteRequest {
  code: string;
  /** In Unicode code points, not UTF-16 units (protocol 5.2+). */
  cursor_pos: number;
}

export interface InspectRequest {
  code: string;
  cursor_pos: number;
  detail_level: 0 | 1;
}

export interface IsCompleteRequest {
  code: string;
}

export type HistoryRequest =
  | { hist_access_type: "tail"; output: boolean; raw: boolean; n: number }
  | { hist_access_type: "range"; output: boolean; raw: boolean; session: number; start: number; stop: number | null }
  | { hist_access_type: "search"; output: boolean; raw: boolean; pattern: string; unique: boolean; n: number | null };

export interface CommInfoRequest {
  target_name?: string;
}

export interface ShutdownRequest {
  restart: boolean;
}

export interface CommOpen {
  comm_id: string;
  target_name: string;
  data: JsonObject;
}

export interface CommMsg {
  comm_id: string;
  data: JsonObject;
}

export interface InputReply {
  value: string;
}

/** Content type of every request the kernel understands, by msg_type. */
export interface RequestContents {
  execute_request: ExecuteRequest;
  complete_request: CompleteRequest;
  inspect_request: InspectRequest;
  is_complete_request: IsCompleteRequest;
  history_request: HistoryRequest;
  kernel_info_request: Record<string, never>;
  comm_info_request: CommInfoRequest;
  comm_open: CommOpen;
  comm_msg: CommMsg;
  comm_close: CommMsg;
  interrupt_request: Record<string, never>;
  shutdown_request: ShutdownRequest;
  input_reply: InputReply;
}

export type RequestType = keyof RequestContents;

export type Request<T extends RequestType = RequestType> = {
  [K in T]: IncomingMessage<K, RequestContents[K]>;
}[T];

// ---------------------------------------------------------------- replies

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** Every reply may fail the same way; `aborted` is what stop_on_error gives queued executes. */
export type ReplyFailure = ({ status: "error" } & ErrorContent) | { status: "aborted" };

export interface PagePayload {
  source: "page";
  data: Record<string, unknown>;
  start: number;
}

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  codemirror_mode: string | JsonObject;
  pygments_lexer: string;
  nbconvert_exporter?: string;
}

export interface HelpLink {
  text: string;
  url: string;
}

export type UserExpressionResult =
  | { status: "ok"; data: Record<string, unknown>; metadata: JsonObject }
  | ({ status: "error" } & ErrorContent);

export interface ReplyContents {
  execute_reply:
    | { status: "ok"; execution_count: number; payload: PagePayload[]; user_expressions: Record<string, UserExpressionResult> }
    | ({ status: "error"; execution_count: number; payload: []; user_expressions: Record<string, never> } & ErrorContent)
    | { status: "aborted" };
  complete_reply: { status: "ok"; matches: string[]; cursor_start: number; cursor_end: number; metadata: JsonObject } | ReplyFailure;
  inspect_reply: { status: "ok"; found: boolean; data: Record<string, unknown>; metadata: JsonObject } | ReplyFailure;
  is_complete_reply: { status: "complete" | "invalid" | "unknown" } | { status: "incomplete"; indent: string };
  history_reply: { status: "ok"; history: Array<[number, number, string | [string, string | null]]> } | ReplyFailure;
  kernel_info_reply: {
    status: "ok";
    protocol_version: string;
    implementation: string;
    implementation_version: string;
    language_info: LanguageInfo;
    banner: string;
    debugger: boolean;
    help_links: HelpLink[];
  };
  comm_info_reply: { status: "ok"; comms: Record<string, { target_name: string }> } | ReplyFailure;
  interrupt_reply: { status: "ok" } | ReplyFailure;
  shutdown_reply: { status: "ok"; restart: boolean } | ReplyFailure;
}

export type ReplyType = keyof ReplyContents;

/** Maps a request type to the reply type the protocol pairs it with. */
export type ReplyTypeOf<T extends string> = T extends `${infer Base}_request` ? `${Base}_reply` : never;

// ---------------------------------------------------------------- iopub

export interface IopubContents {
  status: { execution_state: "busy" | "idle" | "starting" };
  execute_input: { code: string; execution_count: number };
  stream: { name: "stdout" | "stderr"; text: string };
  display_data: { data: Record<string, unknown>; metadata: JsonObject; transient: JsonObject };
  update_display_data: { data: Record<string, unknown>; metadata: JsonObject; transient: { display_id: string } & JsonObject };
  execute_result: { execution_count: number; data: Record<string, unknown>; metadata: JsonObject };
  error: ErrorContent;
  clear_output: { wait: boolean };
  comm_close: { comm_id: string; data: JsonObject };
  /** ipykernel also broadcasts the shutdown reply so every client learns of it. */
  shutdown_reply: { status: "ok"; restart: boolean };
}

export type IopubType = keyof IopubContents;

export interface StdinContents {
  input_request: { prompt: string; password: boolean };
}
