import type { ZapgateSchemas } from '@zapgate/sdk';

/**
 * A session as the pages keep it: from the API (a `SessionView`, with `ownerNode`) or from a
 * `session.status` event (the stored fields only), so `ownerNode` may be absent.
 */
export type Session = ZapgateSchemas['Session'] & Partial<Pick<ZapgateSchemas['SessionView'], 'ownerNode'>>;

/** A phone number for people: `+` and digits. */
export function formatPhone(phone: string | null | undefined): string {
  return phone ? `+${phone}` : '—';
}

/** Replaces (or adds) a session in a list by id, keeping the order. */
export function upsertSession(list: Session[], session: Session): Session[] {
  const index = list.findIndex((s) => s.id === session.id);
  if (index < 0) return [...list, session];
  const copy = [...list];
  copy[index] = session;
  return copy;
}
