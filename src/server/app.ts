import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { asApiError } from '../core/as-api-error.js';
import { registerChatCompletions } from '../routes/openai/chat-completions.js';
import { registerOpenAIModels } from '../routes/openai/models.js';
import { registerEmbeddings } from '../routes/openai/embeddings.js';
import { registerCatalog } from '../routes/onlysq/catalog.js';
import { registerApiV2 } from '../routes/onlysq/api-v2.js';
import { registerHealth } from '../routes/health.js';
import { registerMetrics } from '../routes/metrics.js';
import { registerCloud } from '../routes/cloud/register-cloud.js';
import { registerImagen } from '../routes/onlysq/imagen.js';
import { registerTts } from '../routes/onlysq/tts.js';
import { registerAudioSpeech } from '../routes/openai/audio-speech.js';
import { registerImagesGenerations } from '../routes/openai/images-generations.js';
import { registerAdmin } from '../routes/admin/register-admin.js';
import { registerDashboard } from './register-dashboard.js';
import type { AppContext } from './context.js';
import { registerCors } from './cors.js';
import { drainRequest } from './drain-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's text as received: the parser's own string, kept for the ledger's replay copy. */
    bodyText: string | undefined;
  }
}

/**
 * Parses JSON bodies with the engine's own parser; a body that is not JSON is a 400 in OpenAI's
 * shape. The text stays on the request (a reference, not a copy) for the usage row.
 */
function parseJson(req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void): void {
  req.bodyText = body;
  try {
    done(null, JSON.parse(body));
  } catch (error) {
    done(new ApiError('invalid_json', `We could not parse the JSON body of your request: ${(error as Error).message}`, { cause: error }));
  }
}

export function buildApp(ctx: AppContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.settings.bodyLimit,
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    trustProxy: ctx.settings.trustProxy,
  });

  app.decorateRequest('bodyText', undefined);
  app.removeAllContentTypeParsers();
  // Clients send JSON with every content type, or none (requests' `json=` and curl's `-d` differ).
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJson);

  app.setErrorHandler(async (error, request, reply) => {
    const apiError = fromFastifyError(error);
    if (apiError.code === 'request_too_large') {
      await drainRequest(request.raw, 4 * ctx.settings.bodyLimit, 10_000);
      reply.header('connection', 'close');
    }
    if (apiError.status >= 500 && !(error instanceof ApiError && error.status !== 500)) {
      ctx.log.error({ err: error, url: request.url }, 'request failed');
    }
    if (apiError.retryAfter) reply.header('retry-after', apiError.retryAfter);
    reply.code(apiError.status).type('application/json').send(JSON.stringify(apiError.toJSON()));
  });

  const dashboardFallback = registerDashboard(app, { timeZone: ctx.settings.timeZone });
  app.setNotFoundHandler((request, reply) => {
    if (dashboardFallback?.(request, reply)) return;
    const error = new ApiError('not_found', `Invalid URL (${request.method} ${request.url})`);
    reply.code(404).type('application/json').send(JSON.stringify(error.toJSON()));
  });

  registerCors(app, ctx.settings.corsOrigins);
  registerHealth(app, ctx);
  registerMetrics(app, ctx);
  registerChatCompletions(app, ctx);
  registerOpenAIModels(app, ctx);
  registerEmbeddings(app, ctx);
  registerApiV2(app, ctx);
  registerCatalog(app, ctx);
  registerImagen(app, ctx);
  registerImagesGenerations(app, ctx);
  registerTts(app, ctx);
  registerAudioSpeech(app, ctx);
  registerCloud(app, ctx);
  registerAdmin(app, ctx);
  return app;
}

/** Fastify's own errors (body too large, bad media type, ...) in our registry's terms. */
function fromFastifyError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: string }).code;
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('request_too_large', 'The request body is too large.');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError('unsupported_media_type', message);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new ApiError('invalid_json', message);
  }
  if (status !== undefined && status >= 400 && status < 500) return new ApiError('invalid_request', message, { status });
  return asApiError(error);
}
