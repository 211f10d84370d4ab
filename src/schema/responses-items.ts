import type { ResponsesInputItem } from './responses-request.js';

/** Item ids made here carry their response's random part (`msg_<hex>`, `fc_<hex>_0`), so an id finds its response. */
const OUR_ITEM_ID = /^(?:msg|fc|rs|fco)_([0-9a-f]{32})(?:_|$)/;

/** The id of the response an item id of ours belongs to; undefined for another's id. */
export function responseIdOfItem(itemId: string): string | undefined {
  const match = OUR_ITEM_ID.exec(itemId);
  return match ? `resp_${match[1]}` : undefined;
}

/** `input` as a list of items: a string is one user message. */
export function inputItems(input: string | ResponsesInputItem[] | undefined): ResponsesInputItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  return input;
}

/** The ids `item_reference` items name. */
export function referencedItemIds(items: readonly ResponsesInputItem[]): string[] {
  const ids: string[] = [];
  for (const item of items) if (item.type === 'item_reference' && typeof item.id === 'string') ids.push(item.id);
  return ids;
}

/** The items with each `item_reference` replaced by the item it names, where `found` has it. */
export function resolveReferences(items: readonly ResponsesInputItem[], found: ReadonlyMap<string, ResponsesInputItem>): ResponsesInputItem[] {
  return items.map((item) => (item.type === 'item_reference' && typeof item.id === 'string' ? (found.get(item.id) ?? item) : item));
}

/**
 * The input items as `input_items` lists them: each with an id (its own, else one made from the
 * response's) and a status; message items spelled out with their type.
 */
export function inputItemResources(items: readonly ResponsesInputItem[], responseId: string): ResponsesInputItem[] {
  const hex = responseId.slice('resp_'.length);
  return items.map((item, i) => {
    const type = item.type ?? 'message';
    const prefix = type === 'message' ? 'msg' : type === 'function_call_output' ? 'fco' : type === 'function_call' ? 'fc' : 'item';
    const id = typeof item.id === 'string' ? item.id : `${prefix}_${hex}_in${i}`;
    const content = type === 'message' && typeof item.content === 'string' ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content;
    const resource: ResponsesInputItem = { ...item, type, id, status: 'completed' };
    if (content !== undefined) resource.content = content;
    return resource;
  });
}
