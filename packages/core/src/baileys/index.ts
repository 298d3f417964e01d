export { useStoreAuthState } from './auth-state.js';
export { baileysConnector } from './connector.js';
export { phoneOf, toJid } from './jids.js';
export { mapContent, mapWaMessage } from './map-inbound.js';
export type { BaileysConnectorOptions } from './options.js';
export { proxyAgentFor } from './proxy.js';
