import type { ChatRequest } from '../core/chat.js';
import { ApiError } from '../core/errors.js';
import { chatTools } from '../core/tools.js';
import { PROVIDER_TYPES } from '../providers/index.js';
import type { Capabilities } from '../providers/types.js';
import type { Deployment, Model } from './catalog.js';

/** The chat features routing enforces, one bit each, in the order a refusal names them. */
const FEATURES = ['tools', 'toolChoice', 'images', 'jsonSchema', 'audioInput', 'audioOutput', 'thinking', 'files', 'otherTools', 'fileUrls'] as const;
type Feature = (typeof FEATURES)[number];

const TOOLS = 1;
const TOOL_CHOICE = 2;
const IMAGES = 4;
const JSON_SCHEMA = 8;
const AUDIO_INPUT = 16;
const AUDIO_OUTPUT = 32;
const THINKING = 64;
const FILES = 128;
const OTHER_TOOLS = 256;
const FILE_URLS = 512;

/** What each feature is called in a refusal. */
const DESCRIPTIONS: Record<Feature, string> = {
  tools: 'function tools',
  toolChoice: 'a forced tool choice (tool_choice "required" or a named function)',
  images: 'image inputs',
  jsonSchema: 'JSON schema answers (response_format json_schema)',
  audioInput: 'audio inputs',
  audioOutput: 'spoken answers',
  thinking: 'reasoning (reasoning_effort)',
  files: 'file inputs',
  otherTools: 'tools other than functions (web search, custom tools, ...)',
  fileUrls: 'files by URL (a document with a url source; send it as base64 instead)',
};

/**
 * The features a chat request needs, as a bit set: non-empty `tools` (or legacy `functions`);
 * `tool_choice` "required" or an object (a named function, allowed tools); image parts;
 * `response_format` json_schema; `input_audio` parts; `modalities` with "audio" or `audio`;
 * `reasoning_effort` other than "none"; `file` parts (by URL too); a tool (or tool choice) that is not a function.
 * Property reads and one pass over array contents.
 */
export function requiredFeatures(body: ChatRequest): number {
  let need = 0;
  if (nonEmpty(body.tools) || nonEmpty(body.functions)) need |= TOOLS;
  const choice = body.tool_choice;
  if (choice === 'required' || (typeof choice === 'object' && choice !== null)) need |= TOOL_CHOICE;
  if (typeof body.function_call === 'object' && body.function_call !== null) need |= TOOL_CHOICE;
  if (nonEmpty(body.tools) && chatTools(body).nonFunction) need |= OTHER_TOOLS;
  if (body.response_format?.type === 'json_schema') need |= JSON_SCHEMA;
  if (body.audio != null || (Array.isArray(body.modalities) && body.modalities.includes('audio'))) need |= AUDIO_OUTPUT;
  if (body.reasoning_effort != null && body.reasoning_effort !== 'none') need |= THINKING;
  for (const message of body.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (part?.type === 'image_url') need |= IMAGES;
      else if (part?.type === 'input_audio') need |= AUDIO_INPUT;
      else if (part?.type === 'file') need |= typeof (part.file as { file_url?: unknown } | undefined)?.file_url === 'string' ? FILES | FILE_URLS : FILES;
    }
  }
  return need;
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * The features a deployment serves: what its provider type declares, narrowed by what the catalog
 * says of the model (`can_tools` gates tools and tool choice, `can_vision` images, `can_think`
 * reasoning). Computed once per deployment.
 */
const served = new WeakMap<Deployment, number>();

function servedBy(model: Model, deployment: Deployment): number {
  let bits = served.get(deployment);
  if (bits === undefined) {
    bits = featureBits(PROVIDER_TYPES.get(deployment.provider.type)?.capabilities, model);
    served.set(deployment, bits);
  }
  return bits;
}

function featureBits(capabilities: Capabilities | undefined, model: Model): number {
  if (!capabilities) return 0;
  let bits = 0;
  if (capabilities.tools && model.canTools) bits |= TOOLS;
  if (capabilities.toolChoice && model.canTools) bits |= TOOL_CHOICE;
  if (capabilities.images && model.canVision) bits |= IMAGES;
  if (capabilities.jsonSchema) bits |= JSON_SCHEMA;
  if (capabilities.audioInput) bits |= AUDIO_INPUT;
  if (capabilities.audioOutput) bits |= AUDIO_OUTPUT;
  if (capabilities.thinking && model.canThink) bits |= THINKING;
  if (capabilities.files) bits |= FILES;
  if (capabilities.otherTools) bits |= OTHER_TOOLS;
  if (capabilities.fileUrls) bits |= FILE_URLS;
  return bits;
}

/** Narrowed models by needed features, so a mixed model is narrowed once per combination. */
const narrowed = new WeakMap<Model, Map<number, Model>>();

/**
 * The model as routing should see it for this request: only the usable deployments that serve
 * every feature the request needs. The model itself when all of them do; a 400
 * `unsupported_parameter` naming the parameter and the model when none does.
 */
export function modelForRequest(model: Model, body: ChatRequest): Model {
  const need = requiredFeatures(body);
  if (need === 0) return model;
  let byNeed = narrowed.get(model);
  const cached = byNeed?.get(need);
  if (cached) return cached;
  const usable = model.usable.filter((d) => (servedBy(model, d) & need) === need);
  if (usable.length === 0) throw refusal(model, body, need);
  const result = usable.length === model.usable.length ? model : { ...model, usable };
  if (!byNeed) narrowed.set(model, (byNeed = new Map()));
  byNeed.set(need, result);
  return result;
}

function refusal(model: Model, body: ChatRequest, need: number): ApiError {
  const anyServes = model.usable.reduce((bits, d) => bits | servedBy(model, d), 0);
  const missing = need & ~anyServes;
  // Each feature served somewhere but never all together: name the first the first deployment lacks.
  const lacking = missing !== 0 ? missing : need & ~servedBy(model, model.usable[0]);
  const index = FEATURES.findIndex((_, i) => (lacking & (1 << i)) !== 0);
  const feature = FEATURES[index];
  const param = paramOf(body, 1 << index);
  const together = missing === 0 ? ' together with the rest of this request' : '';
  return new ApiError(
    'unsupported_parameter',
    `The model \`${model.id}\` cannot take \`${param}\`: ${otherTool(body, feature)}none of its deployments supports ${DESCRIPTIONS[feature]}${together}.`,
    { param },
  );
}

/** Which tool is not a function, for the refusal of one. */
function otherTool(body: ChatRequest, feature: Feature): string {
  const other = feature === 'otherTools' ? chatTools(body).nonFunction : undefined;
  if (!other) return '';
  const where = other.index === undefined ? 'it names a tool' : `tools[${other.index}] is a tool`;
  return `${where} of type ${JSON.stringify(other.type.slice(0, 40))}, and `;
}

/** The request parameter that asks for a feature: a content part's path for images and audio. */
function paramOf(body: ChatRequest, feature: number): string {
  switch (feature) {
    case TOOLS:
      return nonEmpty(body.tools) ? 'tools' : 'functions';
    case TOOL_CHOICE:
      return body.tool_choice != null ? 'tool_choice' : 'function_call';
    case JSON_SCHEMA:
      return 'response_format';
    case AUDIO_OUTPUT:
      return Array.isArray(body.modalities) && body.modalities.includes('audio') ? 'modalities' : 'audio';
    case OTHER_TOOLS:
      return chatTools(body).nonFunction?.param ?? 'tools';
    case THINKING:
      return 'reasoning_effort';
    default: {
      const type = feature === IMAGES ? 'image_url' : feature === FILES || feature === FILE_URLS ? 'file' : 'input_audio';
      const byUrl = (part: object): boolean => feature !== FILE_URLS || typeof ((part as { file?: unknown }).file as { file_url?: unknown } | undefined)?.file_url === 'string';
      for (const [i, message] of body.messages.entries()) {
        if (!Array.isArray(message.content)) continue;
        const j = message.content.findIndex((part) => part?.type === type && byUrl(part));
        if (j >= 0) return `messages[${i}].content[${j}]`;
      }
      return 'messages';
    }
  }
}

/** Whether any usable deployment of the model serves reasoning: a request may then ask for it without a refusal. */
export function servesThinking(model: Model): boolean {
  return model.usable.some((d) => (servedBy(model, d) & THINKING) !== 0);
}
