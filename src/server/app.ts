import Fastify, { type FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.js';
import { registerMessages } from '../routes/anthropic/messages.js';
import { registerChatCompletions } from '../routes/openai/chat-completions.js';
import { registerResponses } from '../routes/openai/responses.js';
import { registerCompletions } from '../routes/openai/completions.js';
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
import { apiErrorHandler } from './api-error-handler.js';
import { declaresBody, drainRequest } from './drain-request.js';
import { jsonBodyParser } from './json-body-parser.js';
import { answerClientError, answerRouterError } from './router-errors.js';
import { makeRequestId, PLAIN_PREFIX, requestIdOf } from './request-id.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body's text as received: the parser's own string, kept for the ledger's replay copy. */
    bodyText: string | undefined;
  }
}

/** How long the body of a GET may go on when OPENSQ_BODY_TIMEOUT_MS is 0. */
const DEFAULT_BODY_TIMEOUT_MS = 60_000;

export function buildApp(ctx: AppContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.settings.bodyLimit,
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 65_000,
    trustProxy: ctx.settings.trustProxy,
    frameworkErrors: answerRouterError,
    clientErrorHandler: answerClientError,
    genReqId: makeRequestId,
    requestIdHeader: false,
  });

  // Every answer carries an id, refusals included; a route that writes a usage row replaces it with the row's.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', requestIdOf(request, PLAIN_PREFIX));
    // No route reads the body of a GET or HEAD: one sent anyway is discarded within bounds rather
    // than left to trickle on, holding the connection, for as long as the client likes.
    if ((request.method === 'GET' || request.method === 'HEAD') && declaresBody(request.headers)) {
      void drainRequest(request.raw, { maxBytes: ctx.settings.bodyLimit, timeoutMs: ctx.settings.bodyTimeoutMs || DEFAULT_BODY_TIMEOUT_MS });
    }
    done();
  });

  app.decorateRequest('bodyText', undefined);
  app.removeAllContentTypeParsers();
  // Clients send JSON with every content type, or none (requests' `json=` and curl's `-d` differ).
  app.addContentTypeParser('*', jsonBodyParser({ limit: ctx.settings.bodyLimit, timeoutMs: ctx.settings.bodyTimeoutMs }));

  app.setErrorHandler(apiErrorHandler(ctx));

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
  registerResponses(app, ctx);
  registerCompletions(app, ctx);
  registerMessages(app, ctx);
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
