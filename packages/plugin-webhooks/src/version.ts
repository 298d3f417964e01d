/** Version of `@zapgate/plugin-webhooks` (kept equal to package.json). */
export const webhooksVersion = '0.1.0';
