// What must happen before the process ends on SIGINT/SIGTERM: modules that own resources (child
// processes, temporary folders) register a cleanup here; the CLI's signal handler runs them all,
// processes first (so that nothing writes into a folder being removed), then files.

type Cleanup = () => void | Promise<void>;
export type CleanupPhase = 'processes' | 'files';

const cleanups: Record<CleanupPhase, Cleanup[]> = { processes: [], files: [] };

/** Register `fn` to run on an interrupt. */
export function onCleanup(phase: CleanupPhase, fn: Cleanup): void {
  cleanups[phase].push(fn);
}

async function runPhase(phase: CleanupPhase): Promise<void> {
  await Promise.all(
    cleanups[phase].map(async (fn) => {
      try {
        await fn();
      } catch {
        // cleanup is best effort
      }
    }),
  );
}

let started: Promise<void> | null = null;

/** Run every registered cleanup once (later calls share the first run); errors are swallowed. */
export function runCleanups(): Promise<void> {
  started ??= runPhase('processes').then(() => runPhase('files'));
  return started;
}

/** True once an interrupt has started the cleanup: errors that follow are its consequences. */
export function cleanupStarted(): boolean {
  return started !== null;
}
