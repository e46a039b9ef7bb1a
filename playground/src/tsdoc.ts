// TSDoc as Markdown for the editor's hovers and completion details. Monaco's
// TypeScript support writes every tag on one line ("*@example* — text"), which
// flattens an @example's fenced code into prose and runs @param's name into
// the tag; here an example is a code block, parameters are a list, @returns
// and the rest are labelled paragraphs.

/** A part of TypeScript's display text (ts.SymbolDisplayPart). */
export interface DocPart {
  text: string;
  kind?: string;
}

/** A JSDoc tag as the TS worker reports it (ts.JSDocTagInfo; older workers send a string). */
export interface DocTag {
  name: string;
  text?: DocPart[] | string;
}

const partsText = (parts: DocPart[] | string | undefined): string => (typeof parts === "string" ? parts : (parts ?? []).map((p) => p.text).join(""));

/** The Markdown of a symbol's documentation and tags. */
export function docMarkdown(documentation: DocPart[] | string | undefined, tags: DocTag[] = []): string {
  const blocks: string[] = [];
  const doc = partsText(documentation).trim();
  if (doc) blocks.push(doc);
  const params: string[] = [];
  for (const tag of tags) {
    if (tag.name === "param" || tag.name === "typeParam") {
      params.push(paramLine(tag));
    } else if (tag.name === "example") {
      blocks.push(`**Example**\n\n${codeBlock(partsText(tag.text))}`);
    } else if (tag.name === "returns" || tag.name === "return") {
      blocks.push(`**Returns** ${partsText(tag.text).trim()}`);
    } else {
      const text = partsText(tag.text).trim();
      blocks.push(`*@${tag.name}*${text ? ` ${text}` : ""}`);
    }
  }
  if (params.length) blocks.splice(doc ? 1 : 0, 0, `**Parameters**\n\n${params.join("\n")}`);
  return blocks.join("\n\n");
}

/** "- `name` — text" (TSDoc's "name - text" hyphen dropped). */
function paramLine(tag: DocTag): string {
  let name: string;
  let rest: string;
  if (Array.isArray(tag.text)) {
    const at = tag.text.findIndex((p) => p.kind === "parameterName" || p.kind === "typeParameterName");
    name = at >= 0 ? tag.text[at]!.text : "";
    rest = partsText(at >= 0 ? tag.text.slice(at + 1) : tag.text);
  } else {
    const m = /^\s*(\S+)([\s\S]*)$/.exec(tag.text ?? "");
    name = m?.[1] ?? "";
    rest = m?.[2] ?? "";
  }
  rest = rest.replace(/^\s*-?\s*/, "").trim();
  return `- \`${name}\`${rest ? ` — ${rest}` : ""}`;
}

/** An example as a fenced block: kept as written if it has its own fence (maybe after a title), else fenced as TypeScript. */
function codeBlock(text: string): string {
  const trimmed = text.replace(/^\s*\n/, "").trimEnd();
  return trimmed.includes("```") ? trimmed : "```ts\n" + trimmed + "\n```";
}
