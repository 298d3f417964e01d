import type { ComponentType } from 'preact';
import type { Session } from '../lib/sessions.js';
import { SessionMessages } from './session-messages.js';
import { SessionOverview } from './session-overview.js';
import { SessionSettingsView } from './session-settings.js';
import { WebhooksView } from './webhooks.js';

/** What a session tab receives. */
export interface SessionTabProps {
  session: Session;
  onChange(session: Session): void;
}

/**
 * The tabs of a session page. This list is the extension point for plugin views (a campaigns
 * tab when that plugin is installed): add an entry with its own component.
 */
export const sessionTabs: { id: string; label: string; view: ComponentType<SessionTabProps> }[] = [
  { id: 'overview', label: 'Overview', view: SessionOverview },
  { id: 'messages', label: 'Messages', view: SessionMessages },
  { id: 'settings', label: 'Settings', view: SessionSettingsView },
  { id: 'webhooks', label: 'Webhooks', view: ({ session }) => <WebhooksView sessionId={session.id} /> },
];
