import type { ComponentType } from 'preact';
import type { Session } from '../lib/sessions.js';
import { SessionMessages } from './session-messages.js';
import { SessionOverview } from './session-overview.js';
import { SessionPlugins } from './session-plugins.js';
import { SessionSettingsView } from './session-settings.js';
import { WebhooksView } from './webhooks.js';

/** What a session tab receives. */
export interface SessionTabProps {
  session: Session;
  onChange(session: Session): void;
}

/**
 * The tabs of a session page. Plugins need no entry of their own: the Plugins tab draws each
 * installed plugin's settings form from its schema.
 */
export const sessionTabs: { id: string; label: string; view: ComponentType<SessionTabProps> }[] = [
  { id: 'overview', label: 'Overview', view: SessionOverview },
  { id: 'messages', label: 'Messages', view: SessionMessages },
  { id: 'settings', label: 'Settings', view: SessionSettingsView },
  { id: 'plugins', label: 'Plugins', view: SessionPlugins },
  { id: 'webhooks', label: 'Webhooks', view: ({ session }) => <WebhooksView sessionId={session.id} /> },
];
