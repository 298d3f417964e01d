/** Version of `@zapgate/plugin-campaigns`. */
export const campaignsVersion = '0.1.0';
