import hljs from "highlight.js/lib/core";
import javascript from "highlight.js/lib/languages/javascript";
import python from "highlight.js/lib/languages/python";
import typescript from "highlight.js/lib/languages/typescript";
import { useMemo } from "react";

hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("python", python);

/** Code with syntax highlighting (highlight.js escapes the code it returns). */
export function CodeBlock({ code, language }: { code: string; language: string }) {
  const html = useMemo(() => {
    const known = hljs.getLanguage(language) !== undefined;
    // TypeScript's grammar also covers the plain JavaScript the sandbox accepts.
    const grammar = language === "javascript" ? "typescript" : language;
    return known ? hljs.highlight(code, { language: grammar }).value : undefined;
  }, [code, language]);
  return (
    <pre className="code-block" data-language={language}>
      {html === undefined ? (
        <code>{code}</code>
      ) : (
        <code className={`hljs language-${language}`} dangerouslySetInnerHTML={{ __html: html }} />
      )}
    </pre>
  );
}
