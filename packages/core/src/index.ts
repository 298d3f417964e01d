// Contracts

// Cross-cutting
export { currentContext, type ExecutionContext, runInContext } from './context.js';
export { Chat, type ChatInput } from './contracts/chat.js';
export { Jid, Nullable, Page, type PageOf, Timestamp } from './contracts/common.js';
export { Contact, type ContactInput } from './contracts/contact.js';
export { DeadLetter, DeadLetterKind, type NewDeadLetter } from './contracts/dead-letter.js';
export {
  type AnyGatewayEvent,
  coreEventSchemas,
  EventEnvelope,
  type EventType,
  type GatewayEvent,
  type GatewayEventMap,
  matchesEventPattern,
  type StoredEvent,
} from './contracts/events.js';
export { Group, GroupParticipant, GroupParticipantRole, GroupParticipantsAction } from './contracts/group.js';
export { ChatId, chatIdPattern, requireChatJid, requireGroupJid, toChatJid } from './contracts/jid.js';
export {
  isStatusAdvance,
  MediaInfo,
  Message,
  type MessageContent,
  MessageContents,
  MessageMetadata,
  MessageStatus,
  MessageType,
  messageTypes,
  type NewMessage,
  SendOrigin,
} from './contracts/message.js';
export { MediaSource, SendMessageBody, type SendMessageType } from './contracts/outbound.js';
export { PluginInfo, PluginSettingsView } from './contracts/plugin.js';
export { ErrorResponse, errorResponse, rawResponse, withErrorResponses } from './contracts/responses.js';
export {
  defaultSessionSettings,
  NewSession,
  Session,
  SessionPatch,
  SessionQr,
  SessionSettings,
  SessionStatus,
} from './contracts/session.js';
export { SecretBox, type SecretBoxOptions } from './crypto/secret-box.js';
// Errors
export { type CoreErrorCode, CoreErrorCodes } from './error-codes.js';
export {
  type ErrorBody,
  GatewayError,
  type GatewayErrorOptions,
  isGatewayError,
  reasonPhrase,
} from './errors.js';
// Kernel
export type {
  ChatsApi,
  ContactsApi,
  DirectoryApi,
  GatewayApi,
  GroupsApi,
  MediaApi,
  MediaFile,
  MessagesApi,
  PluginSettingsApi,
  ProfileApi,
  QrOptions,
  SendOptions,
  SessionsApi,
} from './gateway/api.js';
export { backoffDelay } from './gateway/backoff.js';
export { type ConsumerOptions, DurableConsumer } from './gateway/consumer.js';
export {
  type ClusterApi,
  createGateway,
  type Gateway,
  type GatewayOptions,
  type MountedRoute,
  type NodeState,
} from './gateway/create-gateway.js';
export type {
  DeadLetterRetrier,
  DeadLettersApi,
} from './gateway/dead-letters-api.js';
export { type EventFollower, type FollowEventsOptions, followEvents } from './gateway/event-follower.js';
export { appendEvent, newEvent } from './gateway/event-writer.js';
export {
  guardedMediaFetcher,
  type MediaFetcher,
  type MediaFetcherOptions,
  readMediaResponse,
} from './gateway/media.js';
export { GatewayTuning } from './gateway/options.js';
export { defaultEventRetention, type EventRetention } from './gateway/retention.js';
export { movingRetryAfterSeconds } from './gateway/session-access.js';
export { jobBackoffDelay, PermanentJobError, RetryJobError } from './jobs/errors.js';
export type {
  CancelFilter,
  Enqueued,
  EnqueueOptions,
  JobDefinition,
  JobRun,
  PluginJobs,
} from './jobs/types.js';
export { type Logger, silentLogger } from './logger.js';
export { baseMimeType, decodeBase64, sniffMimeType, typesAgree } from './media/bytes.js';
export { type LocalMediaStoreOptions, localMediaStore } from './media/local-media-store.js';
export {
  type Counter,
  type Gauge,
  type GaugeCollector,
  type Histogram,
  type Metrics,
  noopMetrics,
} from './metrics.js';
export { migrationChecksum, sqlMigration } from './migrations.js';
export type { AddressRules } from './net/address-policy.js';
export {
  type CheckUrlOptions,
  type OutgoingPolicy,
  type OutgoingPolicyOptions,
  outgoingPolicy,
} from './net/outgoing-policy.js';
export { decodeCursor, encodeCursor, pageSize } from './paging.js';
export { deepFreeze, type ResolvedPlugin, resolvePlugins } from './plugin/resolve.js';
export { createScheduler, type Scheduler } from './plugin/scheduler.js';
// Plugin API
export {
  type AuthScope,
  type BeforeSend,
  definePlugin,
  defineRoute,
  type EventBatchHandler,
  type EventHandler,
  type GatewayPlugin,
  type HostConfig,
  type PluginContext,
  type PluginEventHandlers,
  type PluginHooks,
  type PluginRoute,
  type PluginSettings,
  type RequestAuth,
  type RouteReply,
  type RouteRequest,
  type RouteSchema,
} from './plugin/types.js';
// Ports
export type { AuthRepo } from './ports/auth.js';
export type {
  ChatModification,
  CloseReason,
  Connection,
  ConnectOptions,
  Connector,
  ConnectorEvent,
  ConnectorSendOptions,
  GroupOperations,
  InboundDelivery,
  InboundMessage,
  OutboundContent,
  SentMessage,
  StateChange,
} from './ports/connector.js';
export type { HeldLease, LeaseOwner, NodeInfo, SessionLeaseRepo } from './ports/leases.js';
export type { MediaStore, StoredMedia } from './ports/media.js';
export type { Migration, MigrationState, SqlClient } from './ports/sql.js';
export type {
  ChatListFilter,
  ChatRepo,
  ConsumerCursorRepo,
  ContactRepo,
  CreateSessionInput,
  DeadLetterFilter,
  DeadLetterRepo,
  EventLogRepo,
  MessageListFilter,
  MessageRepo,
  MessageUpdate,
  NewEvent,
  PluginRepositories,
  PluginSessionRepo,
  PluginSettingsRepo,
  PluginStore,
  Repositories,
  SessionRepo,
  SessionUpdate,
  Store,
  StoredPluginSettings,
} from './ports/store.js';
export { parseRetryAfter } from './retry-after.js';
/** Converters between SQL rows and JSON shapes (timestamps, jsonb, nullable columns), for stores and plugin tables. */
export * as sqlValues from './sql-values.js';
export { coreVersion } from './version.js';
