import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { CopyButton } from '../copy-button.js';
import { useReplay } from '../replay.js';
import { isAdmin, sessionKey } from '../session.js';
import type { CatalogModel, OnlySqCatalogView, RequestDetail } from '../types.js';
import { chatPrefill, type Message } from './chat-prefill.js';
import { curlCommand } from './curl-command.js';
import { RawRequest, rawPathOf } from './raw-request.js';
import { renderMarkdown } from './render-markdown.js';
import { streamChat, type StreamResult } from './stream-chat.js';

interface Pane {
  model: string;
  messages: Message[];
  streaming: boolean;
  /** What the user typed as each pending tool call's result, by call id. */
  toolAnswers?: Record<string, string>;
  error?: string;
  stats?: StreamResult;
}

function textOf(content: Message['content']): string {
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'text' ? p.text : '[image]')).join('\n');
}

function Stats({ stats, model }: { stats: StreamResult; model?: CatalogModel }) {
  const out = stats.usage?.completion_tokens ?? 0;
  const genMs = stats.ttftMs === null ? 0 : stats.totalMs - stats.ttftMs;
  const cost = stats.usage && model?.cost ? (stats.usage.prompt_tokens * model.cost.input + out * model.cost.output) / 1e6 : null;
  return (
    <p class="muted small stats-line" data-testid="answer-stats">
      first token {stats.ttftMs === null ? '—' : `${Math.round(stats.ttftMs)} ms`} · {genMs > 0 && out > 0 ? `${((1000 * out) / genMs).toFixed(1)} tokens/s` : '— tokens/s'} ·{' '}
      {stats.usage ? `${stats.usage.prompt_tokens} in / ${out} out` : 'no usage'} · {cost === null ? '— credits' : `${cost.toFixed(6)} credits`}
      {stats.finishReason && stats.finishReason !== 'stop' ? ` · finished: ${stats.finishReason}` : ''}
    </p>
  );
}

const WEATHER_TOOL = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current temperature at a place, in degrees Celsius.',
      parameters: {
        type: 'object',
        properties: { latitude: { type: 'number' }, longitude: { type: 'number' } },
        required: ['latitude', 'longitude'],
      },
    },
  },
];

/** The tools JSON as sent: undefined when empty, an error message when it is not an array of function tools. */
export function parseTools(text: string): unknown[] | undefined | string {
  if (!text.trim()) return undefined;
  try {
    const tools = JSON.parse(text) as unknown;
    if (!Array.isArray(tools) || !tools.every((t) => typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'function' && typeof (t as { function?: { name?: unknown } }).function?.name === 'string')) {
      return 'Tools must be a JSON array of {"type":"function","function":{"name":…}} objects';
    }
    return tools.length ? tools : undefined;
  } catch (error) {
    return `Tools are not valid JSON: ${(error as Error).message}`;
  }
}

/** More parameters as sent: undefined when empty, an error message when not a JSON object. */
export function parseParams(text: string): Record<string, unknown> | undefined | string {
  if (!text.trim()) return undefined;
  try {
    const params = JSON.parse(text) as unknown;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'More parameters must be a JSON object';
    return params as Record<string, unknown>;
  } catch (error) {
    return `More parameters are not valid JSON: ${(error as Error).message}`;
  }
}

/** The message as the API takes it: an assistant turn that called tools has null content when it said nothing. */
function wireMessage(m: Message): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id, content: textOf(m.content) };
  if (m.tool_calls?.length) return { role: m.role, content: textOf(m.content) || null, tool_calls: m.tool_calls };
  return { role: m.role, content: m.content };
}

/** A message worth sending again: anything with text, tool calls or a tool result. */
const sendable = (m: Message): boolean => textOf(m.content) !== '' || Boolean(m.tool_calls?.length) || m.role === 'tool';

function Answer({ text }: { text: string }) {
  return <div class="answer" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} />;
}

export function Playground() {
  const [key, setKey] = useState(isAdmin.value ? 'openai' : sessionKey.value);
  const [models, setModels] = useState<Record<string, CatalogModel>>({});
  const [modelsError, setModelsError] = useState('');
  const [panes, setPanes] = useState<Pane[]>([]);
  const [system, setSystem] = useState('');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [input, setInput] = useState('');
  const [image, setImage] = useState<string | null>(null);
  const [raw, setRaw] = useState(false);
  const [toolsText, setToolsText] = useState('');
  const [paramsText, setParamsText] = useState('');
  /** The logged request being replayed, shown exactly as it was sent in the raw view. */
  const [replayed, setReplayed] = useState<RequestDetail | null>(null);
  const aborts = useRef<AbortController[]>([]);

  const replay = useReplay((detail) => {
    setReplayed(detail);
    // Bodies of other shapes than chat's replay as they were sent, in the raw view.
    if (detail.endpoint === 'embeddings' || detail.endpoint === 'responses' || detail.endpoint === 'completions') return setRaw(true);
    const fill = chatPrefill(detail.endpoint, detail.request_body as Record<string, unknown>);
    setSystem(fill.system);
    setTemperature(fill.temperature);
    setMaxTokens(fill.maxTokens);
    setToolsText(fill.toolsText);
    setParamsText(fill.paramsText);
    setInput(fill.input);
    setImage(fill.image);
    setPanes([{ model: fill.model, messages: fill.messages, streaming: false }]);
  });

  useEffect(() => {
    api<OnlySqCatalogView>('GET', '/ai/models', { key }).then(
      (catalog) => {
        const text = Object.fromEntries(Object.entries(catalog.models).filter(([, m]) => m.modality === 'text'));
        setModels(text);
        setModelsError('');
        const first = Object.entries(text).find(([, m]) => m.status === 'work')?.[0] ?? Object.keys(text)[0];
        setPanes((p) => (p.length ? p : first ? [{ model: first, messages: [], streaming: false }] : []));
      },
      (error: Error) => setModelsError(error.message),
    );
  }, [key]);

  const tools = parseTools(toolsText);
  const toolsError = typeof tools === 'string' ? tools : '';
  const params = parseParams(paramsText);
  const paramsError = typeof params === 'string' ? params : '';

  const requestBody = (pane: Pane, messages: Message[]): Record<string, unknown> => ({
    ...(typeof params === 'object' && params),
    model: pane.model,
    messages: [...(system ? [{ role: 'system', content: system }] : []), ...messages.filter(sendable).map(wireMessage)],
    ...(temperature !== '' && { temperature: Number(temperature) }),
    ...(maxTokens !== '' && { max_tokens: Number(maxTokens) }),
    ...(Array.isArray(tools) && { tools }),
  });

  function update(index: number, change: (p: Pane) => Pane): void {
    setPanes((all) => all.map((p, i) => (i === index ? change(p) : p)));
  }

  async function send(event: Event): Promise<void> {
    event.preventDefault();
    if (!input.trim() || panes.some((p) => p.streaming || p.toolAnswers)) return;
    const content: Message['content'] = image ? [{ type: 'text', text: input }, { type: 'image_url', image_url: { url: image } }] : input;
    setInput('');
    setImage(null);
    aborts.current = panes.map(() => new AbortController());
    await Promise.all(panes.map((pane, index) => stream(index, pane, [...pane.messages, { role: 'user', content }])));
  }

  /** Streams the next assistant turn of one pane after `messages`; tool calls it asks for wait for an answer. */
  async function stream(index: number, pane: Pane, messages: Message[]): Promise<void> {
    update(index, (p) => ({ ...p, messages: [...messages, { role: 'assistant', content: '' }], streaming: true, error: undefined, stats: undefined, toolAnswers: undefined }));
    try {
      const stats = await streamChat(
        key,
        requestBody(pane, messages),
        (text) => update(index, (p) => ({ ...p, messages: p.messages.map((m, i) => (i === p.messages.length - 1 ? { ...m, content: textOf(m.content) + text } : m)) })),
        aborts.current[index]?.signal,
      );
      update(index, (p) => ({
        ...p,
        streaming: false,
        stats,
        messages: stats.toolCalls.length ? p.messages.map((m, i) => (i === p.messages.length - 1 ? { ...m, tool_calls: stats.toolCalls } : m)) : p.messages,
        toolAnswers: stats.toolCalls.length ? {} : undefined,
      }));
    } catch (error) {
      update(index, (p) => ({ ...p, streaming: false, error: (error as Error).message }));
    }
  }

  /** Appends a `role: tool` message per pending call with what the user typed, and continues the conversation. */
  async function answerTools(index: number, event: Event): Promise<void> {
    event.preventDefault();
    const pane = panes[index];
    const calls = pane.messages.at(-1)?.tool_calls ?? [];
    if (!calls.length || pane.streaming) return;
    const results: Message[] = calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: pane.toolAnswers?.[call.id] ?? '' }));
    aborts.current[index] = new AbortController();
    await stream(index, pane, [...pane.messages, ...results]);
  }

  function attach(file: File | undefined): void {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setImage(String(reader.result));
    reader.readAsDataURL(file);
  }

  const modelIds = Object.keys(models);
  const lastBody = panes[0] ? requestBody(panes[0], [...panes[0].messages, ...(input ? [{ role: 'user' as const, content: input }] : [])]) : {};
  const streaming = panes.some((p) => p.streaming);
  // A conversation whose last turn called tools needs their results before another message.
  const awaitingTools = panes.some((p) => p.toolAnswers && !p.streaming);
  return (
    <>
      <header class="view-head">
        <h1>Playground</h1>
        <div class="actions">
          <label class="inline">
            <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.currentTarget.checked)} /> Raw JSON
          </label>
          <CopyButton text={curlCommand(window.location.origin, key, { ...lastBody, stream: true })} label="Copy as curl" />
          <button onClick={() => setPanes((p) => p.map((x) => ({ ...x, messages: [], stats: undefined, error: undefined, toolAnswers: undefined })))}>Clear</button>
        </div>
      </header>
      <section class="card pg-settings">
        <div class="form-grid">
          <label>
            API key
            <input type="password" name="api-key" value={key} onChange={(e) => setKey(e.currentTarget.value)} />
          </label>
          <label>
            Temperature
            <input type="number" name="temperature" min="0" max="2" step="0.1" placeholder="default" value={temperature} onInput={(e) => setTemperature(e.currentTarget.value)} />
          </label>
          <label>
            Max tokens
            <input type="number" name="max-tokens" min="1" placeholder="default" value={maxTokens} onInput={(e) => setMaxTokens(e.currentTarget.value)} />
          </label>
        </div>
        <label>
          System prompt
          <textarea name="system" rows={2} value={system} onInput={(e) => setSystem(e.currentTarget.value)} />
        </label>
        <div class="tools-editor">
          <label>
            Tools
            <textarea name="tools" rows={toolsText ? 6 : 2} class="code" spellcheck={false} placeholder='[{"type":"function","function":{"name":…,"parameters":{…}}}]' value={toolsText} onInput={(e) => setToolsText(e.currentTarget.value)} />
          </label>
          <div class="actions">
            <button type="button" onClick={() => setToolsText(JSON.stringify(WEATHER_TOOL, null, 2))}>
              Weather example
            </button>
            {toolsText && <button type="button" onClick={() => setToolsText('')}>No tools</button>}
          </div>
          {toolsError && <p class="error">{toolsError}</p>}
        </div>
        <label>
          More parameters
          <textarea name="params" rows={paramsText ? 4 : 1} class="code" spellcheck={false} placeholder='{"top_p": 0.9, "response_format": {"type": "json_object"}}' value={paramsText} onInput={(e) => setParamsText(e.currentTarget.value)} />
        </label>
        {paramsError && <p class="error">{paramsError}</p>}
        {modelsError && <p class="error">{modelsError}</p>}
        {replay.error && <p class="error" role="alert">{replay.error}</p>}
      </section>
      {raw && (
        <RawRequest
          key={replayed?.request_id ?? 'form'}
          apiKey={key}
          label={replayed ? `Replayed request ${replayed.request_id} (${replayed.endpoint})` : 'Raw request'}
          body={replayed?.request_body ?? { ...lastBody, stream: true }}
          path={rawPathOf(replayed?.endpoint)}
          formBody={() => ({ ...lastBody, stream: true })}
        />
      )}
      <div class="panes" style={{ '--panes': String(Math.max(1, panes.length)) }}>
        {panes.map((pane, index) => (
          <section class="card pane" key={index} aria-label={`Answers of ${pane.model}`}>
            <div class="pane-head">
              <select aria-label={`Model ${index + 1}`} value={pane.model} disabled={streaming} onChange={(e) => update(index, (p) => ({ ...p, model: e.currentTarget.value }))}>
                {(modelIds.includes(pane.model) ? modelIds : [...modelIds, pane.model]).map((id) => (
                  <option key={id} value={id}>
                    {id}
                    {models[id]?.status === 'down' ? ' (down)' : models[id] ? '' : ' (not in the catalog)'}
                  </option>
                ))}
              </select>
              {panes.length > 1 && (
                <button aria-label={`Remove ${pane.model}`} disabled={streaming} onClick={() => setPanes((p) => p.filter((_, i) => i !== index))}>
                  ✕
                </button>
              )}
            </div>
            <div class="messages" aria-live="polite">
              {pane.messages.length === 0 && !pane.streaming && <p class="muted small">Answers appear here.</p>}
              {pane.messages.map((m, i) => (
                <div key={i} class={`message ${m.role}`}>
                  {m.role === 'assistant' ? (
                    <Answer text={textOf(m.content)} />
                  ) : m.role === 'tool' ? (
                    <p class="small">
                      <span class="muted">tool result:</span> <code>{textOf(m.content)}</code>
                    </p>
                  ) : (
                    <p>{textOf(m.content)}</p>
                  )}
                  {m.tool_calls?.map((call) => (
                    <p key={call.id} class="tool-call small" data-testid="tool-call">
                      <span class="muted">calls</span> <strong>{call.function.name}</strong> <code>{call.function.arguments}</code>
                    </p>
                  ))}
                </div>
              ))}
              {pane.toolAnswers && !pane.streaming && (
                <form class="tool-answers" aria-label={`Tool results for ${pane.model}`} onSubmit={(e) => void answerTools(index, e)}>
                  {(pane.messages.at(-1)?.tool_calls ?? []).map((call) => (
                    <label key={call.id}>
                      Result of {call.function.name} ({call.id})
                      <input
                        name={`tool-${call.id}`}
                        value={pane.toolAnswers?.[call.id] ?? ''}
                        onInput={(e) => {
                          const value = e.currentTarget.value;
                          update(index, (p) => ({ ...p, toolAnswers: { ...p.toolAnswers, [call.id]: value } }));
                        }}
                      />
                    </label>
                  ))}
                  <div class="actions">
                    <button class="primary" type="submit">
                      Send tool results
                    </button>
                  </div>
                </form>
              )}
              {pane.streaming && <p class="muted small">streaming…</p>}
              {pane.error && <p class="error" role="alert">{pane.error}</p>}
            </div>
            {pane.stats && <Stats stats={pane.stats} model={models[pane.model]} />}
            {raw && pane.stats && <pre class="code raw">{pane.stats.raw.join('\n')}</pre>}
          </section>
        ))}
      </div>
      <form class="composer card" onSubmit={send}>
        <textarea
          name="prompt"
          aria-label="Message"
          rows={3}
          placeholder="Ask something… (Ctrl+Enter to send)"
          value={input}
          onInput={(e) => setInput(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && void send(e)}
        />
        <div class="actions">
          <button class="primary" type="submit" disabled={streaming || awaitingTools || !input.trim() || panes.length === 0}>
            Send
          </button>
          {awaitingTools && <span class="muted small">answer the tool calls first (or Clear)</span>}
          {streaming && <button type="button" onClick={() => aborts.current.forEach((a) => a.abort())}>Stop</button>}
          <label class="inline file">
            Image
            <input type="file" accept="image/*" onChange={(e) => attach(e.currentTarget.files?.[0])} />
          </label>
          {image && <span class="muted small">image attached</span>}
          <button type="button" disabled={panes.length >= 4 || streaming || modelIds.length === 0} onClick={() => setPanes((p) => [...p, { model: p[0]?.model ?? modelIds[0], messages: [], streaming: false }])}>
            + Compare
          </button>
        </div>
      </form>
    </>
  );
}
