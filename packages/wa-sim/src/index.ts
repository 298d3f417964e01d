/// <reference path="./types/libsignal.d.ts" />
export {
  type ContactMedia,
  type ContactOptions,
  type ContactSendOptions,
  type ReceiptOptions,
  type ReceivedMessage,
  SimContact,
  type VotePollOptions,
} from './contact.js';
export type { DeviceMessage, PairedEvent, SimulatorEvents } from './events.js';
export { SimulatorEmitter } from './events.js';
export type {
  CreateGroupOptions,
  GroupInfo,
  GroupMemberRef,
  GroupParticipantInfo,
  GroupRole,
} from './groups/group-model.js';
export type {
  HistoryConversationInput,
  HistoryMessageInput,
  HistorySyncOptions,
  HistorySyncResult,
} from './history/history-sync.js';
export { decryptMedia, type EncryptedMedia, encryptMedia, type SimMediaKind } from './media/media-crypto.js';
export { memoryAuthState } from './memory-auth.js';
export type { Addressing } from './messages/deliver.js';
export { encryptPollVote, type PollVoteContext, pollOptionHash } from './messages/poll-vote.js';
export type { PairOptions } from './pairing/pairing.js';
export {
  type DeviceInfo,
  type SimBaileysConfig,
  Simulator,
  type SimulatorOptions,
  startSimulator,
} from './simulator.js';
export { createCertChain, type RawKeyPair } from './transport/cert-chain.js';
export { encodeFrame, FrameDecoder } from './transport/framing.js';
export { type NoiseFinish, NoiseResponder } from './transport/noise-responder.js';
export { trustSimulatorRoot } from './trust.js';
