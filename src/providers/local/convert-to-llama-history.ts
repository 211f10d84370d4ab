import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage } from '../../core/chat.js';
import { ApiError } from '../../core/errors.js';

type Speaker = 'system' | 'user' | 'model';

/** Local models read text only: any other part (an image, audio, a file) is refused, not left out. */
function textOf(content: ChatMessage['content'], param: string, model: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part, j) => {
      const text = part.type === 'text' ? part.text : part.type === 'refusal' ? part.refusal : undefined;
      if (typeof text === 'string') return text;
      throw new ApiError('unsupported_parameter', `The model \`${model}\` reads text only; content parts of type "${String(part.type)}" are not supported.`, { param: `${param}[${j}]` });
    })
    .join('\n');
}

/**
 * OpenAI messages as node-llama-cpp chat history. Local models are given no tools, so earlier tool
 * calls and their results are kept as plain text. Consecutive turns of one speaker are merged
 * because chat templates expect speakers to alternate.
 */
export function convertToLlamaHistory(messages: readonly ChatMessage[], model: string): ChatHistoryItem[] {
  const turns: Array<{ speaker: Speaker; text: string }> = [];
  const toolNames = new Map<string, string>();
  const add = (speaker: Speaker, text: string): void => {
    const last = turns.at(-1);
    if (last?.speaker === speaker) last.text = [last.text, text].filter(Boolean).join('\n\n');
    else turns.push({ speaker, text });
  };

  for (const [i, message] of messages.entries()) {
    const text = textOf(message.content, `messages[${i}].content`, model);
    switch (message.role) {
      case 'system':
      case 'developer':
        add('system', text);
        break;
      case 'user':
        add('user', text);
        break;
      case 'assistant': {
        const calls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return `[called tool ${call.function.name} with ${call.function.arguments}]`;
        });
        add('model', [text, ...calls].filter(Boolean).join('\n'));
        break;
      }
      default: {
        const name = message.name ?? toolNames.get(message.tool_call_id ?? '') ?? 'a tool';
        add('user', `[result of ${name}]\n${text}`);
      }
    }
  }

  return turns.map(({ speaker, text }): ChatHistoryItem =>
    speaker === 'model' ? { type: 'model', response: [text] } : { type: speaker, text },
  );
}
