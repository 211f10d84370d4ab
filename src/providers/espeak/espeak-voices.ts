import { runEspeak } from './run-espeak.js';

export interface EspeakVoices {
  /** Language tags it speaks, lower-cased (`en-us`, `pt-br`, `ru`, ...). */
  languages: Set<string>;
  /** Voice variants (`f3`, `klatt`, `m3`, ...) by lower-cased name. */
  variants: Map<string, string>;
}

let voices: Promise<EspeakVoices> | undefined;

/** Languages from `--voices` (its Language and Other Languages columns), variants from `--voices=variant` (`!v/<name>`). */
async function load(): Promise<EspeakVoices> {
  const [list, variantList] = await Promise.all([runEspeak(['--voices'], undefined), runEspeak(['--voices=variant'], undefined)]);
  const languages = new Set<string>();
  for (const line of list.stdout.toString().split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 5) continue;
    languages.add(columns[1].toLowerCase());
    // "Other Languages" holds entries like "(en 2)": the language a voice also answers to.
    for (const match of columns.slice(5).join(' ').matchAll(/\(([^\s)]+)/g)) languages.add(match[1].toLowerCase());
  }
  const variants = new Map<string, string>();
  for (const match of variantList.stdout.toString().matchAll(/!v\/(\S+)/g)) variants.set(match[1].toLowerCase(), match[1]);
  return { languages, variants };
}

/** What this machine's espeak-ng can speak, read once. */
export function espeakVoices(): Promise<EspeakVoices> {
  voices ??= load().catch((error) => {
    voices = undefined;
    throw error;
  });
  return voices;
}

/** espeak-ng picks a language's default dialect for a bare tag (`en` → `en-gb`), so a prefix counts. */
export function speaksLanguage(known: EspeakVoices, lang: string): boolean {
  const tag = lang.toLowerCase();
  if (known.languages.has(tag)) return true;
  for (const language of known.languages) if (language.startsWith(`${tag}-`)) return true;
  return false;
}
