import type { OpenApiDocument } from './load.js';

/**
 * One change made to Chatwoot's published OpenAPI document before requests are validated
 * against it, with the evidence for it. Everything the fake accepts beyond the published
 * document is listed here and nowhere else.
 */
export interface OverlayEntry {
  /** `erratum`: the document is wrong; `missing`: an endpoint or body Chatwoot serves is absent. */
  kind: 'erratum' | 'missing';
  method: string;
  path: string;
  what: string;
  evidence: string;
  /** Changes the operation in place (an absent operation starts as `{}`). */
  apply(operation: Operation, resolve: Resolve): void;
}

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[] };
type Operation = Record<string, unknown> & { requestBody?: { content: Record<string, { schema: Schema }> } };
/** Follows a local `$ref` (changes apply to the referenced component). */
type Resolve = (schema: Schema) => Schema;

const accounts = '/api/v1/accounts/{account_id}';
const intParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'integer' } });
const jsonBody = (op: Operation, resolve: Resolve): Schema =>
  resolve(op.requestBody!.content['application/json']!.schema);

/** Every overlay entry, applied in order. */
export const overlay: readonly OverlayEntry[] = [
  {
    kind: 'erratum',
    method: 'post',
    path: `${accounts}/conversations`,
    what: '`inbox_id`, `contact_id`, `assignee_id` and `team_id` are integers, not strings',
    evidence: 'typed integer in the 3.0.4 revision; Chatwoot looks the records up by numeric id',
    apply(op, resolve) {
      const props = jsonBody(op, resolve).properties!;
      for (const key of ['inbox_id', 'contact_id', 'assignee_id', 'team_id'])
        props[key] = { type: 'integer' };
    },
  },
  {
    kind: 'erratum',
    method: 'post',
    path: `${accounts}/inboxes`,
    what: '`channel.type` also takes `api` (an API channel, with its `webhook_url`)',
    evidence:
      'the 3.0.4 revision lists api among the channel types; InboxesController creates Channel::Api with webhook_url',
    apply(op, resolve) {
      const channel = jsonBody(op, resolve).properties!.channel!;
      const props = channel.properties!;
      props.type = { type: 'string', enum: ['web_widget', 'api'] };
      props.webhook_url = { type: 'string' };
    },
  },
  {
    kind: 'erratum',
    method: 'patch',
    path: `${accounts}/inboxes/{id}`,
    what: '`enable_auto_assignment` is not required; an API channel takes `channel.webhook_url`',
    evidence: 'the 3.0.4 revision has no required fields; Chatwoot updates only the attributes sent',
    apply(op, resolve) {
      const body = jsonBody(op, resolve);
      delete body.required;
      body.properties!.channel!.properties!.webhook_url = { type: 'string' };
    },
  },
  {
    kind: 'missing',
    method: 'post',
    path: `${accounts}/conversations/{conversation_id}/messages`,
    what: '`source_id` (the external id of the message) in the JSON body',
    evidence:
      'Messages::MessageBuilder copies params[:source_id] onto the message; webhooks echo it as `source_id`',
    apply(op, resolve) {
      jsonBody(op, resolve).properties!.source_id = { type: 'string' };
    },
  },
  {
    kind: 'missing',
    method: 'post',
    path: `${accounts}/conversations/{conversation_id}/messages`,
    what: 'multipart/form-data with `attachments[]` files (up to 15) and the JSON fields as form fields',
    evidence:
      'MessageBuilder builds one attachment per params[:attachments] entry (Message::NUMBER_OF_PERMITTED_ATTACHMENTS = 15); content is optional with attachments',
    apply(op) {
      op.requestBody!.content['multipart/form-data'] = {
        schema: {
          type: 'object',
          required: ['attachments[]'],
          additionalProperties: false,
          properties: {
            content: { type: 'string' },
            message_type: { type: 'string', enum: ['outgoing', 'incoming'] },
            private: { type: 'string', enum: ['true', 'false'] },
            source_id: { type: 'string' },
            content_attributes: { type: 'string', format: 'json-object' },
            'attachments[]': {
              type: 'array',
              minItems: 1,
              maxItems: 15,
              items: { type: 'string', format: 'binary' },
            },
          },
        },
      };
    },
  },
  {
    kind: 'missing',
    method: 'patch',
    path: `${accounts}/conversations/{conversation_id}/messages/{message_id}`,
    what: 'update the status of a message of an API inbox (`sent`, `delivered`, `read`, `failed` with `external_error`)',
    evidence:
      'MessagesController#update (Chatwoot 4.2+, chatwoot/chatwoot#11387) permits only status and external_error, API inboxes only (403 otherwise)',
    apply: (op) =>
      Object.assign(op, {
        operationId: 'update-message-status',
        summary: 'Update the status of a message (API inboxes)',
        security: [{ userApiKey: [] }],
        parameters: [intParam('account_id'), intParam('conversation_id'), intParam('message_id')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status'],
                additionalProperties: false,
                properties: {
                  status: { type: 'string', enum: ['sent', 'delivered', 'read', 'failed'] },
                  external_error: { type: 'string' },
                },
              },
            },
          },
        },
        responses: { '200': { description: 'The message' } },
      }),
  },
];

/** Applies {@link overlay} to a normalised document (a copy; the input is not changed). */
export function applyOverlay(input: OpenApiDocument): OpenApiDocument {
  const doc = structuredClone(input);
  const resolve: Resolve = (schema) => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    let target: unknown = doc;
    for (const key of ref.replace(/^#\//, '').split('/')) target = (target as Record<string, unknown>)[key];
    return resolve(target as Schema);
  };
  for (const entry of overlay) {
    const item = doc.paths[entry.path] ?? {};
    doc.paths[entry.path] = item;
    const current = item[entry.method] as Operation | undefined;
    if (entry.kind === 'erratum' && !current)
      throw new Error(`overlay: ${entry.method} ${entry.path} is absent`);
    const operation = current ?? {};
    entry.apply(operation, resolve);
    item[entry.method] = operation;
  }
  return doc;
}
