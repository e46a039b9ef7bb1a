// How wide text renderings of plots may be: the terminal's width as the
// kernel was given it (COLUMNS, which `probebook console` sets from its
// terminal), else 80, the width every terminal has.

/** The width used when COLUMNS is missing or makes no sense. */
export const DEFAULT_TEXT_WIDTH = 80;

/** Narrower than this, no row of a chart fits: renderings are laid out for this much and wrap. */
export const MIN_TEXT_WIDTH = 30;

/**
 * The text width from an environment's COLUMNS.
 *
 * @example
 * ```ts
 * textWidthOf({ COLUMNS: "120" }) // 120
 * textWidthOf({})                 // 80
 * ```
 */
export function textWidthOf(env: Record<string, string | undefined>): number {
  const columns = Number(env.COLUMNS);
  if (!Number.isInteger(columns) || columns <= 0) return DEFAULT_TEXT_WIDTH;
  return Math.min(1000, Math.max(MIN_TEXT_WIDTH, columns));
}
