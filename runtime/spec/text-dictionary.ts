// A text column of a result and the same rows as codes into a dictionary of
// its distinct strings. Ring runs assemble text columns from batches the addon
// dictionary-encoded already (native/src/columns_dict.c); they record the
// merged encoding here, next to the plain string[] the host's code reads, so
// that moving the column into the sandbox (sandbox/column-transfer.ts) sends
// the codes as they are instead of encoding every row a second time.

/** Row i of the column is dictionary[codes[i]]. */
export interface TextDictionary {
  codes: Uint16Array | Uint32Array;
  dictionary: string[];
}

const encodings = new WeakMap<readonly string[], TextDictionary>();

/** Records that `column` is `encoding` (the caller built both from the same rows). */
export function recordDictionary(column: readonly string[], encoding: TextDictionary): void {
  encodings.set(column, encoding);
}

/**
 * The dictionary encoding recorded for a text column, if any.
 *
 * @example
 * ```ts
 * const comm = ["sh", "sh", "node"];
 * recordDictionary(comm, { codes: Uint16Array.of(0, 0, 1), dictionary: ["sh", "node"] });
 * dictionaryOf(comm)?.dictionary // ["sh", "node"]
 * ```
 */
export function dictionaryOf(column: unknown): TextDictionary | undefined {
  return Array.isArray(column) ? encodings.get(column) : undefined;
}
