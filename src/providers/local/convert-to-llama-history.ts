import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage } from '../../core/chat.js';

type Speaker = 'system' | 'user' | 'model';

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  // Local models read text only; images and other parts are left out.
  return content.flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : [])).join('\n');
}

/**
 * OpenAI messages as node-llama-cpp chat history. Local models are given no tools, so earlier tool
 * calls and their results are kept as plain text. Consecutive turns of one speaker are merged
 * because chat templates expect speakers to alternate.
 */
export function convertToLlamaHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const turns: Array<{ speaker: Speaker; text: string }> = [];
  const toolNames = new Map<string, string>();
  const add = (speaker: Speaker, text: string): void => {
    const last = turns.at(-1);
    if (last?.speaker === speaker) last.text = [last.text, text].filter(Boolean).join('\n\n');
    else turns.push({ speaker, text });
  };

  for (const message of messages) {
    const text = textOf(message.content);
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
