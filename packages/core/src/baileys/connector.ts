import { silentLogger } from '../logger.js';
import type { Connector } from '../ports/connector.js';
import { openBaileysConnection } from './connection.js';
import type { BaileysConnectorOptions } from './options.js';

/**
 * The WhatsApp connector backed by Baileys. It never calls the internet on its own: the
 * WhatsApp Web version is the bundled one and link previews are off unless enabled.
 *
 * @example
 * const gateway = createGateway({ store, connector: baileysConnector({ waWebSocketUrl: sim.url }) });
 */
export function baileysConnector(options: BaileysConnectorOptions = {}): Connector {
  const logger = options.logger ?? silentLogger;
  return {
    name: 'baileys',
    connect: (connectOptions) =>
      openBaileysConnection(connectOptions, options, logger.child({ sessionId: connectOptions.session.id })),
  };
}
