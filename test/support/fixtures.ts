import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Third-party test data the repository carries (see test/fixtures/SOURCES.md). */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export const fixturePath = (...parts: string[]): string => path.join(FIXTURES_DIR, ...parts);
