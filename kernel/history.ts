// This session's cells, in memory, answering history_request the way IPython
// does: tail, range (by execution count) and glob search. Only cells run with
// store_history enter; each keeps its text/plain result for output=True.

export interface HistoryEntry {
  line: number;
  input: string;
  /** text/plain of the execute_result, or null when the cell had none. */
  output: string | null;
}

export type HistoryRow = [number, number, string | [string, string | null]];

/**
 * A glob as IPython's history search uses it (sqlite GLOB): * any run, ? one
 * character, [...] a class; the whole input must match.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else if (ch === "[") {
      // A class, negated by a leading ^ in both GLOB and RegExp; an unclosed [ is literal.
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) source += "\\[";
      else {
        source += `[${pattern.slice(i + 1, close).replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export class HistoryStore {
  private readonly entries: HistoryEntry[] = [];

  /** The session number this kernel reports; 0 in a request also means "this session". */
  constructor(readonly session = 1) {}

  add(line: number, input: string): HistoryEntry {
    const entry: HistoryEntry = { line, input, output: null };
    this.entries.push(entry);
    return entry;
  }

  tail(n: number, output: boolean): HistoryRow[] {
    return this.rows(n > 0 ? this.entries.slice(-n) : [], output);
  }

  /** Lines start <= line < stop; stop null means to the end. Other sessions have no history here. */
  range(session: number, start: number, stop: number | null, output: boolean): HistoryRow[] {
    if (session !== 0 && session !== this.session) return [];
    return this.rows(
      this.entries.filter((e) => e.line >= start && (stop === null || e.line < stop)),
      output,
    );
  }

  /** Matches oldest first; `n` keeps the most recent n; `unique` keeps each input's latest run. */
  search(pattern: string, unique: boolean, n: number | null, output: boolean): HistoryRow[] {
    const re = globToRegExp(pattern);
    let found = this.entries.filter((e) => re.test(e.input));
    if (unique) {
      const latest = new Map<string, HistoryEntry>();
      for (const e of found) {
        latest.delete(e.input);
        latest.set(e.input, e);
      }
      found = [...latest.values()];
    }
    if (n !== null) found = n > 0 ? found.slice(-n) : [];
    return this.rows(found, output);
  }

  private rows(entries: HistoryEntry[], output: boolean): HistoryRow[] {
    return entries.map((e) => [this.session, e.line, output ? [e.input, e.output] : e.input]);
  }
}
