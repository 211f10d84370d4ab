import DOMPurify from 'dompurify';
import { marked } from 'marked';

/** A model's answer as safe HTML: Markdown rendered, then sanitised (answers are untrusted). */
export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(marked.parse(text, { async: false, gfm: true, breaks: true }));
}
