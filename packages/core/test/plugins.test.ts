import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/gateway/create-gateway.js';
import { definePlugin, type GatewayPlugin } from '../src/plugin/types.js';
import { fakeConnector, memoryStore } from '../src/testing/index.js';
import { fastTuning, rejectsWith } from './helpers.js';

const plugin = (id: string, extra: Partial<GatewayPlugin> = {}): GatewayPlugin => ({
  id,
  version: '1.0.0',
  ...extra,
});
const build = (plugins: GatewayPlugin[]) =>
  createGateway({ store: memoryStore(), connector: fakeConnector(), plugins, tuning: fastTuning });

describe('plugin boot checks', () => {
  it('refuses a duplicate id', async () => {
    const error = await rejectsWith(
      (async () => build([plugin('hooks'), plugin('hooks')]))(),
      'PLUGIN_DUPLICATE_ID',
    );
    expect(error).toMatchObject({ message: 'Plugin "hooks" is registered twice' });
  });

  it('refuses a missing dependency, listing every one', async () => {
    const error = await rejectsWith(
      (async () =>
        build([
          plugin('chatwoot', { dependencies: { webhooks: '^1.0.0' } }),
          plugin('campaigns', { dependencies: { queue: '1.x' } }),
        ]))(),
      'PLUGIN_MISSING_DEPENDENCY',
    );
    expect(error.details).toEqual([
      'plugin "chatwoot" depends on "webhooks" (^1.0.0), which is not registered',
      'plugin "campaigns" depends on "queue" (1.x), which is not registered',
    ]);
  });

  it('refuses an incompatible dependency or core version', async () => {
    const error = await rejectsWith(
      (async () =>
        build([
          plugin('webhooks', { version: '1.4.0' }),
          plugin('chatwoot', { dependencies: { webhooks: '^2.0.0' } }),
          plugin('future', { coreVersion: '>=99.0.0' }),
        ]))(),
      'PLUGIN_INCOMPATIBLE_VERSION',
    );
    expect(error.details).toEqual([
      'plugin "chatwoot" needs "webhooks" ^2.0.0, registered 1.4.0',
      expect.stringMatching(/^plugin "future" needs @zapgate\/core >=99\.0\.0, running /),
    ]);
  });

  it('lists every options problem of every plugin at once', async () => {
    const schema = Type.Object({
      url: Type.String({ format: 'uri' }),
      retries: Type.Integer({ minimum: 0, default: 3 }),
      secret: Type.String({ minLength: 8 }),
    });
    const error = await rejectsWith(
      (async () =>
        build([
          plugin('a', { optionsSchema: schema, options: { url: 'not a url', retries: -1, secret: 'x' } }),
          plugin('b', { optionsSchema: schema, options: { url: 'https://ok.example', retries: 1 } }),
        ]))(),
      'PLUGIN_INVALID_OPTIONS',
    );
    const problems = error.details as { plugin: string; path: string }[];
    expect([...new Set(problems.map((p) => `${p.plugin}${p.path}`))].sort()).toEqual(
      ['a/url', 'a/retries', 'a/secret', 'b/secret'].sort(),
    );
  });

  it('refuses a plugin with migrations on a store without SQL', async () => {
    const error = await rejectsWith(
      (async () => build([plugin('tables', { migrations: [{ name: '001', up: async () => {} }] })]))(),
      'PLUGIN_REQUIRES_SQL',
    );
    expect(error).toMatchObject({
      message: 'Plugin "tables" keeps tables and needs a SQL store; "memory" has none',
    });
  });

  it('defaults and freezes options, and sets plugins up in dependency order', async () => {
    const order: string[] = [];
    let seen: unknown;
    const schema = Type.Object({
      greeting: Type.String({ default: 'hi' }),
      nested: Type.Object({ n: Type.Integer({ default: 2 }) }, { default: {} }),
    });
    const gateway = build([
      plugin('c', { dependencies: { b: '^1.0.0' }, setup: () => void order.push('c') }),
      definePlugin({
        id: 'b',
        version: '1.2.0',
        dependencies: { a: '1.x' },
        optionsSchema: schema,
        options: {},
        setup(ctx) {
          order.push('b');
          seen = ctx.options;
        },
        teardown: () => void order.push('teardown b'),
      }) as unknown as GatewayPlugin,
      plugin('a', { setup: () => void order.push('a'), teardown: () => void order.push('teardown a') }),
    ]);
    expect(gateway.plugins.map((p) => p.plugin.id)).toEqual(['a', 'b', 'c']);
    await gateway.start();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual({ greeting: 'hi', nested: { n: 2 } });
    expect(Object.isFrozen(seen)).toBe(true);
    expect(Object.isFrozen((seen as { nested: object }).nested)).toBe(true);
    await gateway.stop();
    expect(order.slice(3)).toEqual(['teardown b', 'teardown a']);
  });

  it('refuses a dependency cycle', async () => {
    await rejectsWith(
      (async () =>
        build([plugin('x', { dependencies: { y: '*' } }), plugin('y', { dependencies: { x: '*' } })]))(),
      'PLUGIN_DEPENDENCY_CYCLE',
    );
  });
});
