import createDOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/**
 * Answers and replayed turns are untrusted: anyone with a key (the public one included) can put
 * text in the request log that an operator later opens here. So only Markdown becomes markup:
 * - raw HTML in the text is shown as the text it is, never parsed;
 * - an image becomes a link to it: loading it would tell its host who opened the answer, and when,
 *   and even a `data:` image can draw a fake prompt ("re-enter your admin key") inside the page;
 * - a task list's box is a character, not an `<input>`;
 * - then an allow-list sanitiser keeps only the elements and attributes Markdown needs, links only
 *   to http, https and mailto, opened in a new tab with no opener and no referrer.
 */
const TAGS = ['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td'];

/** Each attribute kept, on the one element that needs it and with the values Markdown gives it. */
const ATTRIBUTES: Record<string, (tag: string, value: string) => boolean> = {
  href: (tag) => tag === 'A',
  title: (tag) => tag === 'A',
  align: (tag, value) => (tag === 'TH' || tag === 'TD') && /^(left|center|right)$/.test(value),
  start: (tag, value) => tag === 'OL' && /^\d{1,9}$/.test(value),
  class: (tag, value) => tag === 'CODE' && /^language-[\w+#.-]{1,40}$/.test(value),
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const markdown = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text, block }: Tokens.HTML | Tokens.Tag) => (block ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text)),
    image({ href, title, text }: Tokens.Image) {
      const label = text ? `image: ${text}` : 'image';
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(label)}</a>`;
    },
    checkbox: ({ checked }: Tokens.Checkbox) => (checked ? '☑' : '☐'),
  },
});

const purify = createDOMPurify(window);
purify.addHook('uponSanitizeAttribute', (node, event) => {
  if (!ATTRIBUTES[event.attrName]?.(node.nodeName, event.attrValue)) event.keepAttr = false;
});
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName !== 'A' || !node.hasAttribute('href')) return;
  node.setAttribute('target', '_blank');
  node.setAttribute('rel', 'noopener noreferrer nofollow');
});

const CONFIG = {
  ALLOWED_TAGS: TAGS,
  ALLOWED_ATTR: Object.keys(ATTRIBUTES),
  ADD_URI_SAFE_ATTR: ['align', 'start'],
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
};

/** A model's answer as HTML holding nothing but rendered Markdown. */
export function renderMarkdown(text: string): string {
  return purify.sanitize(markdown.parse(text, { async: false }), CONFIG);
}
