// The line protocol between the local worker pool and its worker processes: one JSON message per line, on the
// worker's stdin (jobs) and stdout (results, marked so that anything else a library prints there is ignored).

export interface PoolJob {
  id: string;
  kind: string;
  payload: unknown;
}

/** Pool → worker. */
export type ToWorker = { type: 'run'; job: PoolJob };

/** Worker → pool. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; id: string; result: unknown }
  | { type: 'failed'; id: string; error: string }
  /** A progress line of the job running (the job's own words, model strings in them: the pool's user escapes it). */
  | { type: 'log'; id: string; line: string };

/** Starts every protocol line a worker writes: a record separator and a tag. */
export const MESSAGE_MARK = '\u001eedgeprune-job ';

export function encodeFromWorker(message: FromWorker): string {
  return `${MESSAGE_MARK}${JSON.stringify(message)}\n`;
}

/** The message on a stdout line, or null for a line that is not one. */
export function decodeFromWorker(line: string): FromWorker | null {
  if (!line.startsWith(MESSAGE_MARK)) return null;
  return JSON.parse(line.slice(MESSAGE_MARK.length)) as FromWorker;
}

export function encodeToWorker(message: ToWorker): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a stream of chunks into whole lines. */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  };
}
