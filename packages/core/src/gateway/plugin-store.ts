import type { PluginRepositories, PluginStore, Repositories, Store } from '../ports/store.js';

/** The repositories of `repos` a plugin may use (see {@link PluginRepositories}), as a new object. */
function pluginRepositories(repos: Repositories): PluginRepositories {
  const { sessions } = repos;
  return {
    sessions: {
      get: (id) => sessions.get(id),
      getByName: (name) => sessions.getByName(name),
      list: (filter) => sessions.list(filter),
    },
    chats: repos.chats,
    contacts: repos.contacts,
    messages: repos.messages,
    events: repos.events,
    ...(repos.sql ? { sql: repos.sql } : {}),
  };
}

/**
 * A plugin's view of the store: what it needs for its work and its own tables, without the
 * credentials and key hashes a plugin has no business reading (a bug or a hostile plugin
 * cannot hand them out through a route). Built once per plugin.
 */
export function pluginStore(store: Store): PluginStore {
  return {
    kind: store.kind,
    ...pluginRepositories(store),
    transaction: (fn) => store.transaction((tx) => fn(pluginRepositories(tx))),
  };
}
