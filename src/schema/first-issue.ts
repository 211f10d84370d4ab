import type { z } from 'zod';

export type SchemaIssue = z.core.$ZodIssue;

export type Listed<T> = { success: true; data: T } | { success: false; issue: SchemaIssue };

/**
 * A body with a list of items (`messages`) read as zod would read it whole, but stopping at the
 * first bad item: zod gathers an issue for every one, and a body under the size limit can hold
 * 400,000 (seconds of work). `schema` reads the list as unknown items; `item` reads one. The issue
 * is the one the whole schema would put first (fields are checked in the schema's order), with
 * its path in the body; the data holds the client's own items. `plain` spots the common item
 * `item` would take (checked by hand, without zod's work).
 */
export function parseListed<T>({ schema, key, item, plain, body }: { schema: z.ZodObject; key: string; item: z.ZodType; plain?: (value: unknown) => boolean; body: unknown }): Listed<T> {
  const result = schema.safeParse(body);
  const head = result.success ? undefined : result.error.issues[0];
  if (head) {
    const keys = Object.keys(schema.shape);
    if (keys.indexOf(String(head.path[0])) <= keys.indexOf(key)) return { success: false, issue: head };
  }
  const items = (body as Record<string, unknown>)[key];
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) {
      if (plain?.(items[i])) continue;
      const read = item.safeParse(items[i]);
      if (!read.success) {
        const issue = read.error.issues[0];
        return { success: false, issue: { ...issue, path: [key, i, ...issue.path] } };
      }
    }
  }
  return head ? { success: false, issue: head } : { success: true, data: result.data as T };
}
