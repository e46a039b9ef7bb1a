// The one part of Monaco's TypeScript support the playground reaches into
// (editor.ts): the static method its suggest adapter renders TSDoc with.
declare module "monaco-editor/languages/features/typescript/languageFeatures.js" {
  export const SuggestAdapter: { createDocumentationString(details: unknown): string };
}
