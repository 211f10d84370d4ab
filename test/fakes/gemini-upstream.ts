import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeAnswer, type FakeImage, type FakeRequest, type FakeTurn, fakeAnswer, faultsOf, pieces, sleep } from './fake-behaviour.js';

/**
 * A fake Gemini API (Generative Language API v1beta) for tests, with the answers and fault markers
 * every fake shares (fake-behaviour.ts). It speaks Google's wire format: `POST
 * /v1beta/models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse`: `data:` events
 * separated by CRLF CRLF and no end marker; without it, one JSON array), `:batchEmbedContents`;
 * the key in `x-goog-api-key` (or `?key=`); google.rpc.Status error bodies.
 *
 * It refuses what the real API refuses: unknown fields (proto JSON is strict; the fake knows only
 * the lowerCamelCase names, which the adapter sends, not the snake_case ones Google also takes),
 * roles other than user and model, empty `parts`, empty text, a `functionResponse.response` that
 * is not an object, schemas with an empty `properties`, `properties` or `items` on another type,
 * `required` names that are not properties or formats Gemini does not know, a wrong key (400
 * API_KEY_INVALID), a missing key (403 PERMISSION_DENIED, "unregistered callers") and unknown
 * models (404 NOT_FOUND). #rate-limit answers 429 with Retry-After: 7 and a RetryInfo of 7s;
 * #midstream-error writes a bare error object into the stream after two text events, as Google does.
 */
export interface FakeGemini {
  /** The host root, as GEMINI_BASE_URL holds it. */
  url: string;
  /** Every request received with a JSON body, parsed. */
  requests: Array<{ path: string; query: URLSearchParams; headers: IncomingMessage['headers']; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const FAKE_GEMINI_KEY = 'AIzaSy-fake-gemini-upstream-key';
const CHAT_MODELS = new Set(['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-1.5-flash', 'gemini-3-pro-preview']);

/**
 * Gemini 3 signs the first function call of each answer (`thoughtSignature`, opaque base64) and
 * refuses a conversation whose function calls come back without the signature it gave them.
 */
const signs = (model: string): boolean => model.startsWith('gemini-3');
const issuedSignatures = new Set<string>();
let signatureCount = 0;
function newSignature(): string {
  // Bytes whose base64 holds '+', '/' and padding, as real signatures do.
  const signature = Buffer.concat([Buffer.from([0xfb, 0xef, 0xff]), Buffer.from(`sig-${++signatureCount}`)]).toString('base64');
  issuedSignatures.add(signature);
  return signature;
}

function checkSignatures(body: Json): void {
  for (const [i, content] of (body.contents as Array<{ role?: string; parts: GeminiPart[] }>).entries()) {
    if (content.role !== 'model') continue;
    const first = content.parts.findIndex((p) => p.functionCall);
    if (first < 0) continue;
    const signature = content.parts[first].thoughtSignature;
    if (signature === undefined) {
      throw invalid(
        `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${content.parts[first].functionCall!.name}\` , position ${i + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
      );
    }
    // Google's documented stand-in for a call another model made is accepted too.
    if (!issuedSignatures.has(signature) && signature !== 'skip_thought_signature_validator') throw invalid('Corrupted thought signature.');
  }
}
const EMBEDDING_MODELS = new Set(['text-embedding-004', 'gemini-embedding-001']);

type Json = Record<string, unknown>;

class GoogleError extends Error {
  constructor(
    readonly code: number,
    readonly status: string,
    message: string,
    readonly details?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message, status: this.status, ...(this.details ? { details: this.details } : {}) } }, null, 2);
  }
}

const invalid = (message: string): GoogleError => new GoogleError(400, 'INVALID_ARGUMENT', message);
const unknownName = (name: string, at: string): GoogleError =>
  invalid(`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`);
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function knownFields(value: Json, fields: readonly string[], at: string): void {
  for (const key of Object.keys(value)) if (!fields.includes(key)) throw unknownName(key, at);
}

const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
const PART_FIELDS = [...PART_DATA, 'thought', 'thoughtSignature', 'videoMetadata'];
const SCHEMA_FIELDS = ['type', 'format', 'title', 'description', 'nullable', 'enum', 'items', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default'];
const SCHEMA_TYPES = ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'];
const FORMATS: Record<string, string[]> = { STRING: ['enum', 'date-time'], NUMBER: ['float', 'double'], INTEGER: ['int32', 'int64'] };
const GENERATION_FIELDS = ['candidateCount', 'stopSequences', 'maxOutputTokens', 'temperature', 'topP', 'topK', 'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'responseModalities', 'thinkingConfig', 'mediaResolution'];

function checkSchema(schema: unknown, at: string): void {
  if (!isObject(schema)) throw invalid(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)`);
  knownFields(schema, SCHEMA_FIELDS, at);
  const type = typeof schema.type === 'string' ? schema.type.toUpperCase() : undefined;
  if (schema.type !== undefined && !SCHEMA_TYPES.includes(type ?? '')) {
    throw invalid(`Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(schema.type)}`);
  }
  if (schema.properties !== undefined && type !== 'OBJECT') throw invalid(`* GenerateContentRequest.${at}.properties: only allowed for OBJECT type\n`);
  if (type === 'OBJECT' && schema.properties !== undefined && (!isObject(schema.properties) || Object.keys(schema.properties).length === 0)) {
    throw invalid(`* GenerateContentRequest.${at}.properties: should be non-empty for OBJECT type\n`);
  }
  for (const [i, name] of (Array.isArray(schema.required) ? schema.required : []).entries()) {
    if (!isObject(schema.properties) || !(String(name) in schema.properties)) throw invalid(`* GenerateContentRequest.${at}.required[${i}]: property is not defined\n`);
  }
  if (schema.items !== undefined && type !== 'ARRAY') throw invalid(`* GenerateContentRequest.${at}.items: only allowed for ARRAY type\n`);
  if (typeof schema.format === 'string' && !(FORMATS[type ?? ''] ?? []).includes(schema.format)) {
    throw invalid(`* GenerateContentRequest.${at}.format: only ${(FORMATS[type ?? ''] ?? []).map((f) => `'${f}'`).join(' and ') || 'no formats'} are supported for ${type} type\n`);
  }
  if (schema.enum !== undefined && !(Array.isArray(schema.enum) && schema.enum.every((e) => typeof e === 'string'))) {
    throw invalid(`Invalid value at '${at}.enum' (TYPE_STRING)`);
  }
  for (const [name, property] of Object.entries(isObject(schema.properties) ? schema.properties : {})) checkSchema(property, `${at}.properties[${name}].value`);
  if (schema.items !== undefined) checkSchema(schema.items, `${at}.items`);
  for (const [i, alt] of (Array.isArray(schema.anyOf) ? schema.anyOf : []).entries()) checkSchema(alt, `${at}.any_of[${i}]`);
}

function checkPart(part: unknown, at: string, systemInstruction: boolean): void {
  if (!isObject(part)) throw invalid(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part)`);
  knownFields(part, PART_FIELDS, at);
  const data = PART_DATA.filter((k) => part[k] !== undefined && part[k] !== '');
  if (data.length === 0) throw invalid(`* GenerateContentRequest.${at}.data: required oneof field 'data' must have one initialized field\n`);
  if (data.length > 1) throw invalid(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${data[1]}'`);
  if (systemInstruction && data[0] !== 'text') throw invalid(`* GenerateContentRequest.system_instruction.parts: only text is supported\n`);
  if (part.text !== undefined && typeof part.text !== 'string') throw invalid(`Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(part.text)}`);
  if (part.inlineData !== undefined) {
    const inline = part.inlineData;
    if (!isObject(inline) || typeof inline.mimeType !== 'string' || typeof inline.data !== 'string') throw invalid(`* GenerateContentRequest.${at}.inline_data: mime_type and data are required\n`);
    knownFields(inline, ['mimeType', 'data'], `${at}.inline_data`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(inline.data)) throw invalid(`Invalid value at '${at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${inline.data.slice(0, 20)}"`);
  }
  if (part.functionCall !== undefined) {
    const call = part.functionCall;
    if (!isObject(call) || typeof call.name !== 'string' || !call.name) throw invalid(`* GenerateContentRequest.${at}.function_call.name: Name cannot be empty.\n`);
    knownFields(call, ['id', 'name', 'args'], `${at}.function_call`);
    if (call.args !== undefined && !isObject(call.args)) throw invalid(`Invalid value at '${at}.function_call.args' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(call.args)}`);
  }
  if (part.functionResponse !== undefined) {
    const response = part.functionResponse;
    if (!isObject(response) || typeof response.name !== 'string' || !response.name) throw invalid(`* GenerateContentRequest.${at}.function_response.name: Name cannot be empty.\n`);
    knownFields(response, ['id', 'name', 'response'], `${at}.function_response`);
    if (!isObject(response.response)) throw invalid(`Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(response.response)}`);
  }
}

/** Validates a GenerateContentRequest as the real API does, throwing its error. */
function checkGenerateRequest(body: Json): void {
  knownFields(body, ['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent'], '');
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw invalid('* GenerateContentRequest.contents: contents is not specified\n');
  for (const [i, content] of body.contents.entries()) {
    const at = `contents[${i}]`;
    if (!isObject(content)) throw invalid(`Invalid value at '${at}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)`);
    knownFields(content, ['role', 'parts'], at);
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') throw invalid('Please use a valid role: user, model.');
    if (!Array.isArray(content.parts) || content.parts.length === 0) throw invalid(`* GenerateContentRequest.${at}.parts: contents.parts must not be empty.\n`);
    for (const [j, part] of content.parts.entries()) checkPart(part, `${at}.parts[${j}]`, false);
  }
  if (body.systemInstruction !== undefined) {
    const system = body.systemInstruction;
    if (!isObject(system) || !Array.isArray(system.parts) || system.parts.length === 0) throw invalid('* GenerateContentRequest.system_instruction.parts: contents.parts must not be empty.\n');
    knownFields(system, ['role', 'parts'], 'system_instruction');
    for (const [j, part] of system.parts.entries()) checkPart(part, `system_instruction.parts[${j}]`, true);
  }
  for (const [i, tool] of (Array.isArray(body.tools) ? body.tools : []).entries()) {
    if (!isObject(tool)) throw invalid(`Invalid value at 'tools[${i}]'`);
    knownFields(tool, ['functionDeclarations', 'googleSearch', 'codeExecution', 'urlContext'], `tools[${i}]`);
    for (const [j, fn] of (Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []).entries()) {
      const at = `tools[${i}].function_declarations[${j}]`;
      if (!isObject(fn)) throw invalid(`Invalid value at '${at}'`);
      knownFields(fn, ['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'behavior'], at);
      if (typeof fn.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/.test(fn.name)) {
        throw invalid(`* GenerateContentRequest.${at}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 64.\n`);
      }
      if (fn.parameters !== undefined) checkSchema(fn.parameters, `${at}.parameters`);
    }
  }
  if (body.toolConfig !== undefined) {
    const config = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : undefined;
    if (!config) throw invalid("Invalid value at 'tool_config'");
    knownFields(config, ['mode', 'allowedFunctionNames'], 'tool_config.function_calling_config');
    if (!['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'].includes(String(config.mode))) {
      throw invalid(`Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(config.mode)}`);
    }
    if (config.allowedFunctionNames !== undefined && config.mode !== 'ANY' && config.mode !== 'VALIDATED') {
      throw invalid('* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: only allowed when mode is ANY or VALIDATED\n');
    }
  }
  if (body.generationConfig !== undefined) {
    const config = body.generationConfig;
    if (!isObject(config)) throw invalid("Invalid value at 'generation_config'");
    knownFields(config, GENERATION_FIELDS, 'generation_config');
    if (config.responseSchema !== undefined) {
      if (config.responseMimeType !== 'application/json') throw invalid('* GenerateContentRequest.generation_config.response_mime_type: must be application/json when response_schema is set\n');
      checkSchema(config.responseSchema, 'generation_config.response_schema');
    }
  }
}

type GeminiPart = { text?: string; thought?: boolean; inlineData?: { mimeType: string; data: string }; functionCall?: { name: string; args?: Json }; functionResponse?: { name: string; response: Json }; thoughtSignature?: string };

/** A value as Python's `json.dumps` writes it (`", "` and `": "`), the way tool results usually look. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

/** What a function result reads as: the text of a `{"result": "..."}` wrapper, else the object as JSON. */
function resultText(response: Json): string {
  const keys = Object.keys(response);
  return keys.length === 1 && typeof response.result === 'string' ? response.result : pythonJson(response);
}

/** Gemini's request in the fakes' neutral form. */
function decode(body: Json): FakeRequest {
  const system = ((body.systemInstruction as { parts?: GeminiPart[] } | undefined)?.parts ?? []).map((p) => p.text ?? '').join('\n') || undefined;
  const turns: FakeTurn[] = [];
  for (const content of body.contents as Array<{ role?: string; parts: GeminiPart[] }>) {
    if (content.role === 'model') {
      turns.push({
        role: 'assistant',
        text: content.parts.map((p) => p.text ?? '').join(''),
        images: [],
        toolCalls: content.parts.filter((p) => p.functionCall).map((p) => ({ id: '', name: p.functionCall!.name, arguments: JSON.stringify(p.functionCall!.args ?? {}) })),
      });
      continue;
    }
    let pending: { texts: string[]; images: FakeImage[] } | undefined;
    const flush = (): void => {
      if (pending) turns.push({ role: 'user', text: pending.texts.join(' '), images: pending.images, toolCalls: [] });
      pending = undefined;
    };
    for (const part of content.parts) {
      if (part.functionResponse) {
        flush();
        const text = resultText(part.functionResponse.response);
        turns.push({ role: 'tool', text, images: [], toolCalls: [], toolResult: text });
        continue;
      }
      pending ??= { texts: [], images: [] };
      if (part.text !== undefined) pending.texts.push(part.text);
      if (part.inlineData) pending.images.push({ mediaType: part.inlineData.mimeType, bytes: Buffer.from(part.inlineData.data, 'base64').length });
    }
    flush();
  }
  const tools = ((body.tools as Array<{ functionDeclarations?: Array<{ name: string }> }> | undefined) ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name));
  const calling = (body.toolConfig as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined)?.functionCallingConfig;
  let toolChoice: FakeRequest['toolChoice'];
  if (calling?.mode === 'NONE') toolChoice = 'none';
  else if (calling?.mode === 'ANY') toolChoice = calling.allowedFunctionNames?.length === 1 ? { name: calling.allowedFunctionNames[0] } : 'required';
  else if (calling?.mode === 'AUTO') toolChoice = 'auto';
  const config = (body.generationConfig ?? {}) as { maxOutputTokens?: number; responseMimeType?: string };
  return { system, turns, tools, toolChoice, maxTokens: config.maxOutputTokens, jsonSchema: config.responseMimeType === 'application/json' };
}

function usageOf(answer: FakeAnswer, final: boolean): Json {
  const { input, output, cached } = answer.usage;
  const usage: Json = { promptTokenCount: input };
  if (final) usage.candidatesTokenCount = output;
  usage.totalTokenCount = input + (final ? output : 0);
  if (cached > 0) usage.cachedContentTokenCount = cached;
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: input }];
  if (final) usage.candidatesTokensDetails = [{ modality: 'TEXT', tokenCount: output }];
  return usage;
}

const callParts = (answer: FakeAnswer, model: string): GeminiPart[] =>
  answer.toolCalls.map((c, i) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) as Json }, ...(i === 0 && signs(model) ? { thoughtSignature: newSignature() } : {}) }));
const finishOf = (answer: FakeAnswer): string => (answer.finish === 'length' ? 'MAX_TOKENS' : 'STOP');

async function handleGenerate(model: string, stream: boolean, sse: boolean, body: Json, res: ServerResponse): Promise<void> {
  checkGenerateRequest(body);
  if (signs(model)) checkSignatures(body);
  const request = decode(body);
  const faults = faultsOf(request);
  if (faults.has('hang')) return new Promise(() => undefined);
  if (faults.has('fail-500')) throw new GoogleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
  if (faults.has('fail-503')) throw new GoogleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
  if (faults.has('rate-limit')) {
    throw new GoogleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }], { 'retry-after': '7' });
  }
  if (faults.has('bad-request')) throw invalid('* GenerateContentRequest.generation_config.temperature: must be in the range [0, 2]\n');
  if (faults.has('not-json')) {
    res.writeHead(200, { 'content-type': 'text/html' });
    return void res.end('<html>oops</html>');
  }

  const answer = fakeAnswer(request);
  const common = { modelVersion: model, responseId: 'fake-gemini-response' };
  const withUsage = !faults.has('no-usage');
  if (!stream) {
    const parts: GeminiPart[] = [...(answer.reasoning ? [{ text: answer.reasoning, thought: true }] : []), ...(answer.text ? [{ text: answer.text }] : []), ...callParts(answer, model)];
    const count = Number((body.generationConfig as { candidateCount?: number } | undefined)?.candidateCount ?? 1);
    const candidates = Array.from({ length: count }, (_, index) => ({ content: { parts, role: 'model' }, finishReason: finishOf(answer), index }));
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    return void res.end(JSON.stringify({ candidates, ...(withUsage ? { usageMetadata: usageOf(answer, true) } : {}), ...common }, null, 2));
  }

  res.writeHead(200, sse ? { 'content-type': 'text/event-stream', 'content-disposition': 'attachment' } : { 'content-type': 'application/json; charset=UTF-8' });
  let first = true;
  const write = (event: Json): void => {
    const text = JSON.stringify(event);
    res.write(sse ? `data: ${text}\r\n\r\n` : `${first ? '[' : ',\r\n'}${text}`);
    first = false;
  };
  const event = (parts: GeminiPart[], final: boolean): Json => ({
    candidates: [{ content: { parts, role: 'model' }, ...(final ? { finishReason: finishOf(answer) } : {}), index: 0 }],
    ...(withUsage ? { usageMetadata: usageOf(answer, final) } : {}),
    ...common,
  });
  for (const piece of pieces(answer.reasoning ?? '')) write(event([{ text: piece, thought: true }], false));
  const texts = answer.text ? pieces(answer.text) : [];
  for (const [i, piece] of texts.entries()) {
    if (faults.has('slow')) await sleep(50);
    write(event([{ text: piece }], i === texts.length - 1 && answer.toolCalls.length === 0));
    if (faults.has('reset') && i === 1) {
      await sleep(20);
      return void res.socket?.destroy();
    }
    if (faults.has('midstream-error') && i === 1) {
      const error = new GoogleError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
      return void res.end(sse ? `${error.body}\n` : `,\r\n${error.body}]`);
    }
  }
  if (answer.toolCalls.length > 0) write(event(callParts(answer, model), true));
  res.end(sse ? '' : ']');
}

/** Deterministic vectors: element i of input n is (n + 1) / (i + 2), `outputDimensionality` long (default 8). */
function handleEmbed(model: string, body: Json, res: ServerResponse): void {
  knownFields(body, ['requests'], '');
  if (!Array.isArray(body.requests) || body.requests.length === 0) throw invalid('* BatchEmbedContentsRequest.requests: requests must not be empty\n');
  const embeddings = body.requests.map((request: unknown, n) => {
    const at = `requests[${n}]`;
    if (!isObject(request)) throw invalid(`Invalid value at '${at}'`);
    knownFields(request, ['model', 'content', 'taskType', 'title', 'outputDimensionality'], at);
    if (request.model !== `models/${model}`) throw invalid(`* BatchEmbedContentsRequest.${at}.model: the model of every request must be models/${model}, the model of the batch\n`);
    const content = request.content;
    if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) throw invalid(`* BatchEmbedContentsRequest.${at}.content.parts: contents.parts must not be empty.\n`);
    const dims = request.outputDimensionality === undefined ? 8 : Number(request.outputDimensionality);
    return { values: Array.from({ length: dims }, (_, i) => Math.fround((n + 1) / (i + 2))) };
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ embeddings }, null, 2));
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;

export async function startFakeGemini(): Promise<FakeGemini> {
  const requests: FakeGemini['requests'] = [];
  const handle = async (req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = req.method === 'POST' ? ROUTE.exec(url.pathname) : null;
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      return void res.end(`<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p>The requested URL <code>${url.pathname}</code> was not found on this server.</p>`);
    }
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (!key) {
      throw new GoogleError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    }
    if (key !== FAKE_GEMINI_KEY) {
      throw new GoogleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      ]);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalid('Invalid JSON payload received. Unexpected token.');
    }
    if (!isObject(body)) throw invalid('Invalid JSON payload received. Expected an object.');
    requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const [, model, method] = route;
    const known = method === 'batchEmbedContents' ? EMBEDDING_MODELS : CHAT_MODELS;
    if (!known.has(model)) {
      throw new GoogleError(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
    }
    if (method === 'batchEmbedContents') return handleEmbed(model, body, res);
    return handleGenerate(model, method === 'streamGenerateContent', url.searchParams.get('alt') === 'sse', body, res);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((error: unknown) => {
        if (!(error instanceof GoogleError) || res.headersSent) return void res.destroy(error as Error);
        res.writeHead(error.code, { 'content-type': 'application/json; charset=UTF-8', ...error.headers });
        res.end(error.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
