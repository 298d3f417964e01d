import { type TSchema, Type } from '@sinclair/typebox';

/** An ISO-8601 timestamp string. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 timestamp' });

/** A nullable value: present in the document, `null` when unknown. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A WhatsApp JID such as `15550001111@s.whatsapp.net`, `123@g.us` or `456@lid`. */
export const Jid = Type.String({ minLength: 3, maxLength: 128, description: 'WhatsApp JID' });

/** A page of results with an opaque cursor for the next page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page' })),
  });

/** What every list method returns. */
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}
