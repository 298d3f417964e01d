/** Version of `@zapgate/plugin-chatwoot` (kept equal to package.json). */
export const chatwootVersion = '0.1.0';
