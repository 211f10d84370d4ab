/** A mistake in how a command was called: its message and the command's help, exit code 2. */
export class UsageError extends Error {}

/** A number option, or a usage error naming it. */
export function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return number;
}
