/**
 * Cohere's v2 wire format (`POST /v2/chat`, `POST /v2/embed`), as far as the gateway reads or
 * writes it. Cohere rejects fields it does not know (422 "unknown field"), so requests carry only
 * these.
 */

export interface CohereTextPart { type: 'text'; text: string }
export interface CohereImagePart { type: 'image_url'; image_url: { url: string; detail?: 'low' | 'high' | 'auto' } }
export interface CohereThinkingPart { type: 'thinking'; thinking: string }

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string | CohereTextPart[] }
  | { role: 'user'; content: string | Array<CohereTextPart | CohereImagePart> }
  | { role: 'assistant'; content?: string | CohereTextPart[]; tool_calls?: CohereToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string | CohereTextPart[] };

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  stream: boolean;
  tools?: CohereTool[];
  strict_tools?: boolean;
  /** Only `REQUIRED` and `NONE` exist; leaving it out lets the model choose. */
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: { type: 'text' } | { type: 'json_object'; json_schema?: unknown };
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  /** Top-p, between 0.01 and 0.99. */
  p?: number;
}

export interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  /** Prompt tokens served from Cohere's cache, counted over the whole prompt including Cohere's own template. */
  cached_tokens?: number;
}

export interface CohereChatResponse {
  id: string;
  finish_reason: string;
  message: {
    role: 'assistant';
    content?: Array<CohereTextPart | CohereThinkingPart | { type: string }>;
    tool_plan?: string;
    tool_calls?: Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string | null } }>;
  };
  usage?: CohereUsage;
}

/** One SSE event's data; its `type` repeats the SSE event name. */
export interface CohereStreamEvent {
  type: string;
  index?: number;
  delta?: {
    message?: {
      content?: { type?: string; text?: string; thinking?: string };
      tool_plan?: string;
      tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } };
    };
    finish_reason?: string;
    /** Set on `message-end` when generation failed: a string, though an upstream may send any value. */
    error?: unknown;
    usage?: CohereUsage;
  };
}

export interface CohereEmbedRequest {
  model: string;
  texts: string[];
  input_type: 'search_document';
  embedding_types: ['float'];
  output_dimension?: number;
}

export interface CohereEmbedResponse {
  id?: string;
  embeddings?: { float?: number[][] };
  meta?: { billed_units?: { input_tokens?: number } };
}

/** Every Cohere error body: a message, and in v2 usually a request id. */
export interface CohereErrorBody {
  id?: string;
  message?: string;
}
