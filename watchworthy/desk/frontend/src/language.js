// Markdown for the editor: @lezer/markdown with GitHub's extensions (tables,
// strikethrough, autolinks), as the site renders (docs/markup.md). Not
// @codemirror/lang-markdown: it bundles the HTML, CSS and JavaScript parsers for HTML
// embedded in Markdown (about 180 KB minified), and the site shows raw HTML as text.
import { Language, LanguageSupport, defineLanguageFacet, languageDataProp } from "@codemirror/language";
import { GFM, parser } from "@lezer/markdown";

const data = defineLanguageFacet({});

const markdownParser = parser.configure([GFM, { props: [languageDataProp.add({ Document: data })] }]);

export const markdownLanguage = new Language(data, markdownParser, [], "markdown");

export function markdown() {
  return new LanguageSupport(markdownLanguage);
}
