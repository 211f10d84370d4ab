import os from 'node:os';
import { ApiError } from '../../core/errors.js';
import type { SpeechCall, SpeechResult } from '../../core/speech.js';
import type { ProviderConfig } from '../types.js';
import { espeakVoices, speaksLanguage } from './espeak-voices.js';
import { fixWavHeader } from './fix-wav-header.js';
import { ProcessSlots } from './process-slots.js';
import { runEspeak } from './run-espeak.js';
import { clientName } from '../../core/warnings.js';

/** espeak-ng's normal rate is 175 words per minute; it speaks from 80 to 450. */
const NORMAL_WPM = 175;
const MIN_WPM = 80;
const MAX_WPM = 450;
const LANG = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;

/**
 * The embedded default: the local espeak-ng binary, no network, WAV output. The language picks the
 * voice (`en`, `ru`, `pt-BR`); `voice` may name one of its variants (`f3`, `klatt`, ...).
 */
export class EspeakAdapter {
  readonly config: ProviderConfig;
  private readonly slots: ProcessSlots;

  constructor(config: ProviderConfig) {
    this.config = config;
    const processes = config.options.processes;
    this.slots = new ProcessSlots(typeof processes === 'number' && Number.isInteger(processes) && processes > 0 ? processes : os.availableParallelism());
  }

  async speak(call: SpeechCall): Promise<SpeechResult> {
    if (call.format !== undefined && call.format !== 'wav') {
      throw new ApiError('invalid_request', `The model \`${call.publicModel}\` produces wav only, not ${call.format}.`, { param: 'response_format' });
    }
    const lang = (call.lang ?? 'en').replace('_', '-');
    if (!LANG.test(lang)) throw new ApiError('invalid_request', `Invalid 'lang': ${JSON.stringify(lang).slice(0, 40)} is not a language code such as en or pt-BR.`, { param: 'lang' });
    const known = await espeakVoices();
    if (!speaksLanguage(known, lang)) throw new ApiError('invalid_request', `espeak-ng has no voice for the language ${lang}.`, { param: 'lang' });
    let voice = lang;
    if (call.voice) {
      const variant = known.variants.get(call.voice.toLowerCase());
      if (variant) voice = `${lang}+${variant}`;
      else call.warn('adjusted_parameter', `voice ${clientName(call.voice)} is not an espeak-ng variant (such as f3, m3 or klatt); the language's default voice was used`);
    }
    let wpm = NORMAL_WPM;
    if (call.speed !== undefined) {
      const wanted = Math.round(NORMAL_WPM * call.speed);
      wpm = Math.min(MAX_WPM, Math.max(MIN_WPM, wanted));
      if (wpm !== wanted) call.warn('adjusted_parameter', `speed ${call.speed} is outside what espeak-ng can do; it spoke at ${(wpm / NORMAL_WPM).toFixed(2)}`);
    }
    // -b 1: the text is UTF-8; --stdout: WAV on standard output.
    await this.slots.acquire(call.signal);
    let result;
    try {
      result = await runEspeak(['--stdout', '-b', '1', '-v', voice, '-s', String(wpm)], call.text, call.signal);
    } finally {
      this.slots.release();
    }
    if (result.code !== 0 || result.stdout.length <= 44) {
      throw new ApiError('internal_error', `espeak-ng failed (exit ${result.code}): ${result.stderr.trim().slice(0, 200)}`);
    }
    return { audio: fixWavHeader(result.stdout), format: 'wav', contentType: 'audio/wav' };
  }
}
