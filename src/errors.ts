// Error classes that decide the exit code: a user's mistake (2), an unmet budget (3), anything else internal (1).

/** A problem with the user's input (file, model, flags): one clear line, exit code 2, no stack trace. */
export class UserError extends Error {
  readonly exitCode: number = 2;
  /** What the user can do about it, printed after the message. */
  readonly hint?: string;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.hint = hint;
  }
}

/** A model node the tool cannot handle as written (bad attribute, unsupported form). */
export function nodeError(node: { name: string; opType: string }, message: string, hint?: string): UserError {
  return new UserError(`node '${node.name}' (${node.opType}): ${message}`, hint);
}

/** Message of any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
