import { hostInput } from "./host-bridge.js";

/**
 * Asks the person at the notebook for a line of text.
 *
 * @param prompt - shown before the input box.
 * @param options - `{ password: true }` hides what is typed.
 *
 * @example
 * ```ts
 * const pid = Number(await input("pid to trace? "));
 * ```
 */
export function input(prompt = "", options: { password?: boolean } = {}): Promise<string> {
  return hostInput(String(prompt), Boolean(options.password));
}
