import { sqlValues } from '@zapgate/core';

/** Core's row converters under the names this plugin's repos use. */
export const {
  iso: toIso,
  isoOrNull: toIsoOrNull,
  fromJson: toJson,
  numberOrNull: toNumberOrNull,
  stringOrNull: toStringOrNull,
  json: jsonParam,
} = sqlValues;
