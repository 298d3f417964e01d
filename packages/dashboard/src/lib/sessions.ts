import type { ZapgateSchemas } from '@zapgate/sdk';

export type Session = ZapgateSchemas['Session'];

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
