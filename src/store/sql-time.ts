import { type Expression, type RawBuilder, sql } from "kysely";

/**
 * A timestamptz as ISO-8601 UTC text with all six fractional digits ("2026-11-30T16:23:46.123456Z"), computed by the
 * database: the pg driver would turn the column into a JS Date and drop the microseconds.
 */
export function isoUtc(column: Expression<unknown> | RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
