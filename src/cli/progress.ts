// Progress for long work: a live bar (step, epoch, ETA, accuracy) on a terminal, plain lines otherwise, on stderr.
// Lines quote model names (layers of a proposal, warnings): each is one terminal-escaped line.

import cliProgress from 'cli-progress';
import { terminalText } from '../util/escape.js';

export interface ProgressReporter {
  /** A new phase (e.g. "step 3: weight 60%") with a number of units (epochs × batches). */
  begin(label: string, total: number): void;
  update(done: number, fields: Record<string, string>): void;
  end(summary: string): void;
  /** A line that stays (warnings, results of a step). */
  line(text: string): void;
}

class BarReporter implements ProgressReporter {
  private readonly bar = new cliProgress.SingleBar(
    { format: '{label} [{bar}] {percentage}% · ETA {eta_formatted} · {info}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  private active = false;

  begin(label: string, total: number): void {
    if (this.active) this.bar.stop();
    this.bar.start(Math.max(1, total), 0, { label: terminalText(label), info: '' });
    this.active = true;
  }

  update(done: number, fields: Record<string, string>): void {
    if (this.active) this.bar.update(done, { info: terminalText(Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' · ')) });
  }

  end(summary: string): void {
    if (this.active) this.bar.stop();
    this.active = false;
    process.stderr.write(`${terminalText(summary)}\n`);
  }

  line(text: string): void {
    if (this.active) this.bar.stop();
    this.active = false;
    process.stderr.write(`${terminalText(text)}\n`);
  }
}

class LineReporter implements ProgressReporter {
  begin(): void {}
  update(): void {}
  end(summary: string): void {
    process.stderr.write(`${terminalText(summary)}\n`);
  }
  line(text: string): void {
    process.stderr.write(`${terminalText(text)}\n`);
  }
}

/** A live bar when stderr is a terminal, plain lines when it is not (CI, pipes, files). */
export function progressReporter(quiet = false): ProgressReporter {
  if (quiet) return { begin() {}, update() {}, end() {}, line() {} };
  return process.stderr.isTTY ? new BarReporter() : new LineReporter();
}
