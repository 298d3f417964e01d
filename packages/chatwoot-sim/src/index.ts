export type { ApiContext } from './api/context.js';
export type { MultipartBody } from './api/messages.js';
export { type Action, type AgentMessage, Dashboard } from './dashboard.js';
export { type FakeChatwoot, type FakeChatwootOptions, startFakeChatwoot } from './fake-chatwoot.js';
export { Faults, type Hang, type Outage } from './faults.js';
export type { UploadedFile } from './messages.js';
export { type Received, startReceiver } from './receiver.js';
export type { RecordedRequest, Violation } from './server.js';
export { chatwootSpec, normalise, type OpenApiDocument, readPublishedSpec, specModule } from './spec/load.js';
export { type OverlayEntry, overlay } from './spec/overlay.js';
export {
  type CheckedRequest,
  type CheckResult,
  createSpecValidator,
  type SpecValidator,
} from './spec/validator.js';
export type {
  Agent,
  AttachmentRow,
  ChatwootState,
  ContactInboxRow,
  ContactRow,
  ConversationRow,
  ConversationStatus,
  InboxRow,
  MessageRow,
  MessageStatus,
  MessageType,
} from './state.js';
export {
  chatwootSignatureHeaders,
  type Delivery,
  type DeliveryOverrides,
  WebhookSender,
} from './webhooks.js';
