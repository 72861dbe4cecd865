// The unit of distributed work: a job is a kind (the name of a registered handler) and a JSON payload; its id is a
// hash of both, so the same work always has the same id and a re-run recognises what is already done.

import { createHash } from 'node:crypto';
import { compareStrings } from '../util/compare.js';

/** A JSON value: what a payload and a result may hold (no undefined, functions, typed arrays). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface JobSpec<P extends Json = Json> {
  kind: string;
  /** jobId(kind, payload): deterministic. */
  id: string;
  payload: P;
}

/** JSON with the keys of every object sorted: equal values give equal text. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The id of a job: its kind and the first 24 hex digits of the SHA-256 of its canonical payload. */
export function jobId(kind: string, payload: Json): string {
  const hash = createHash('sha256').update(kind).update('\n').update(canonicalJson(payload)).digest('hex');
  return `${kind}-${hash.slice(0, 24)}`;
}

export function makeJob<P extends Json>(kind: string, payload: P): JobSpec<P> {
  return { kind, id: jobId(kind, payload), payload };
}
