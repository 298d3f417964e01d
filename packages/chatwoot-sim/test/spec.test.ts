import { describe, expect, it } from 'vitest';
import { chatwootSpec, normalise, overlay, readPublishedSpec } from '../src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Loose = Record<string, any>;
const accounts = '/api/v1/accounts/{account_id}';

describe("Chatwoot's OpenAPI document", () => {
  const published = readPublishedSpec();
  const normalised = normalise(published) as Loose;

  it('is the revision the overlay was written for', () => {
    expect([published.openapi, published.info.version]).toEqual(['3.0.1', '1.0.0']);
    expect(published.paths[`${accounts}/contacts/{id}/contact_inboxes`]).toBeDefined();
  });

  // Each overlay entry must still be needed: if the package is updated and fixes one, this says so.
  it('still has every erratum the overlay corrects, and lacks what the overlay adds', () => {
    const paths = normalised.paths;
    const schemas = normalised.components.schemas;
    const conversationBody =
      paths[`${accounts}/conversations`].post.requestBody.content['application/json'].schema;
    expect(conversationBody.properties.inbox_id.type).toBe('string');
    const inboxBody = paths[`${accounts}/inboxes`].post.requestBody.content['application/json'].schema;
    expect(inboxBody.properties.channel.properties.type.enum).toEqual(['web_widget']);
    const inboxUpdate =
      paths[`${accounts}/inboxes/{id}`].patch.requestBody.content['application/json'].schema;
    expect(inboxUpdate.required).toEqual(['enable_auto_assignment']);
    const messages = paths[`${accounts}/conversations/{conversation_id}/messages`].post.requestBody.content;
    expect(Object.keys(messages)).toEqual(['application/json']);
    expect(schemas.conversation_message_create.properties.source_id).toBeUndefined();
    expect(paths[`${accounts}/conversations/{conversation_id}/messages/{message_id}`].patch).toBeUndefined();
    expect(overlay).toHaveLength(6);
  });

  it('is normalised without changing a schema: bare JSON media type, resolvable refs, no trailing slashes', () => {
    const text = JSON.stringify(normalised);
    expect(text).not.toContain('charset=utf-8');
    expect(text).not.toContain('#/definitions/');
    expect(Object.keys(normalised.paths).filter((p) => p.endsWith('/'))).toEqual([]);
    expect(Object.keys(normalised.paths[`${accounts}/inboxes/{id}`]).sort()).toEqual(['get', 'patch']);
  });

  it('serves the overlaid operations', () => {
    const spec = chatwootSpec() as Loose;
    const patch = spec.paths[`${accounts}/conversations/{conversation_id}/messages/{message_id}`].patch;
    expect(patch.operationId).toBe('update-message-status');
    expect(patch.requestBody.content['application/json'].schema.properties.status.enum).toEqual([
      'sent',
      'delivered',
      'read',
      'failed',
    ]);
  });
});
