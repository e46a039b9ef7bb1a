// Just enough of source map v3 to map a generated line/column back to the
// original: the "mappings" string of one source (what transpileModule emits).

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

interface Segment {
  generatedColumn: number;
  sourceLine: number;
  sourceColumn: number;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A decoded source map: generated position -> original position. */
export class LineMap {
  readonly #lines: Segment[][];

  constructor(mappings: string) {
    this.#lines = decodeMappings(mappings);
  }

  /** Builds a LineMap from source map JSON text. */
  static fromJson(json: string): LineMap {
    return new LineMap((JSON.parse(json) as { mappings: string }).mappings);
  }

  /**
   * The original position of a generated one (both 1-based), or undefined for
   * generated lines that came from no source line (e.g. added helpers).
   */
  original(generated: Position): Position | undefined {
    const segments = this.#lines[generated.line - 1];
    if (!segments || segments.length === 0) return undefined;
    // The last segment starting at or before the column; the first one when
    // the column lies before every segment (e.g. indentation).
    let best = segments[0]!;
    for (const segment of segments) {
      if (segment.generatedColumn <= generated.column - 1) best = segment;
      else break;
    }
    return { line: best.sourceLine + 1, column: best.sourceColumn + 1 };
  }
}

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(";")) {
    const segments: Segment[] = [];
    let generatedColumn = 0;
    for (const segmentText of lineText.split(",")) {
      if (!segmentText) continue;
      const values = decodeVlq(segmentText);
      generatedColumn += values[0] ?? 0;
      if (values.length >= 4) {
        sourceLine += values[2]!;
        sourceColumn += values[3]!;
        segments.push({ generatedColumn, sourceLine, sourceColumn });
      }
    }
    segments.sort((a, b) => a.generatedColumn - b.generatedColumn);
    lines.push(segments);
  }
  return lines;
}

function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`source map: "${char}" is not a base64 digit`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
