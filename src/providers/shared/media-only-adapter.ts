import { ApiError } from '../../core/errors.js';
import type { Capabilities, ProviderAdapter, ProviderConfig } from '../types.js';

type MediaMethods = Pick<ProviderAdapter, 'generateImage' | 'speak' | 'close'> & { readonly config: ProviderConfig };

/**
 * An adapter for a provider that only makes images or speech. The catalog never routes a chat
 * model to it; if a config file does, the client learns why.
 */
export function mediaOnlyAdapter(media: MediaMethods): ProviderAdapter {
  const noChat = (): Promise<never> =>
    Promise.reject(new ApiError('invalid_request', `provider ${media.config.name} (${media.config.type}) serves no chat models`, { param: 'model' }));
  return {
    config: media.config,
    chat: noChat,
    stream: noChat,
    ...(media.generateImage && { generateImage: media.generateImage.bind(media) }),
    ...(media.speak && { speak: media.speak.bind(media) }),
    ...(media.close && { close: media.close.bind(media) }),
  };
}

/** What a media-only provider can do: no chat feature, plus the media ones it names. */
export function mediaOnlyCapabilities(media: Pick<Capabilities, 'imageGeneration' | 'imageInputs' | 'speech'>): Capabilities {
  return {
    streaming: false,
    tools: false,
    streamedTools: false,
    parallelTools: false,
    toolChoice: false,
    images: false,
    jsonSchema: false,
    files: false,
    otherTools: false,
    audioInput: false,
    audioOutput: false,
    thinking: false,
    usageInStream: false,
    embeddings: false,
    imageGeneration: false,
    speech: false,
    ...media,
  };
}
