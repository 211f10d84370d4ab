import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import type { ChatRequest } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';
import { describeError } from './describe-error.js';

/** The grammar that makes the model follow `response_format`, or undefined for free text. */
export async function responseGrammar(llama: Llama, format: ChatRequest['response_format']): Promise<LlamaGrammar | undefined> {
  if (format?.type === 'json_object') return llama.getGrammarFor('json');
  if (format?.type !== 'json_schema') return undefined;
  const schema = format.json_schema?.schema;
  if (typeof schema !== 'object' || schema === null) {
    throw new ApiError('invalid_request', 'response_format.json_schema.schema must be a JSON schema object', { param: 'response_format' });
  }
  try {
    return await llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema as GbnfJsonSchema);
  } catch (error) {
    throw new ApiError('invalid_request', `local models cannot follow this JSON schema: ${describeError(error)}`, { param: 'response_format', cause: error });
  }
}
