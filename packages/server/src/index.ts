export {
  authenticate,
  generateAdminKey,
  generateSessionKey,
  hashApiKey,
  presentedKey,
  type RouteAuth,
  secretsEqual,
  sessionKeyPrefix,
} from './auth.js';
export {
  type BuildServerOptions,
  buildServer,
  type ServerSettings,
  type ZapgateServer,
} from './build-server.js';
export type { RouteInfo, ZapgateDecoration, ZapgateInstance } from './context.js';
export { type ServerErrorCode, ServerErrorCodes } from './error-codes.js';
export { errorBody, errorHandler, notFoundHandler, toErrorBody } from './error-handler.js';
export { type PromMetrics, type PromMetricsOptions, promMetrics } from './metrics.js';
export { eventWebhooks, type OpenapiOptions, openapiOptions } from './openapi.js';
export { configEnv, type LoadConfigOptions, loadConfig, PluginEntry, ServerConfig } from './options.js';
export { knownPlugins, type LoadPluginsOptions, loadPlugins, type ModuleImporter } from './plugins.js';
export { installProcessGuard, type ProcessGuardOptions } from './process-guard.js';
export { type HealthRoutesOptions, healthRoutes } from './routes/health.js';
export { type ZapgateRoutesOptions, zapgateRoutes } from './routes-plugin.js';
export { ErrorResponse } from './schemas.js';
export { type RunningServer, type StartServerOptions, startServer } from './start.js';
export { openapiDocument } from './write-openapi.js';
