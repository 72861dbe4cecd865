// Sizes of a firmware and of its parts: the ELF's sections (arm-none-eabi-size -A), each object
// file before linking (arm-none-eabi-size), and each object's share of the linked image after
// gc-sections (the linker map). Flash = text + data; static RAM = data + bss.

import fs from 'node:fs';
import { armSize, runTool, type ToolOptions } from './tools.js';

export interface SizeTriple {
  /** Code and constants (flash). */
  text: number;
  /** Initialized data (RAM, with a copy of its initial values in flash). */
  data: number;
  /** Zeroed data (RAM). */
  bss: number;
}

export function addSizes(a: SizeTriple, b: SizeTriple): SizeTriple {
  return { text: a.text + b.text, data: a.data + b.data, bss: a.bss + b.bss };
}

export const ZERO_SIZES: SizeTriple = Object.freeze({ text: 0, data: 0, bss: 0 });

/** Output sections of our linker script (link.ld.hbs) by kind. */
const TEXT_SECTIONS = new Set(['.vectors', '.text', '.rodata', '.ARM.extab', '.ARM.exidx']);
const DATA_SECTIONS = new Set(['.data']);
const BSS_SECTIONS = new Set(['.bss']);
export const STACK_SECTION = '.stack';

function kindOf(section: string): keyof SizeTriple | null {
  if (TEXT_SECTIONS.has(section)) return 'text';
  if (DATA_SECTIONS.has(section)) return 'data';
  if (BSS_SECTIONS.has(section)) return 'bss';
  return null;
}

/** Parse `size -A` (SysV) output: section name → bytes. */
export function parseSysvSize(out: string): Map<string, number> {
  const sections = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) sections.set(m[1], Number(m[2]));
  }
  return sections;
}

/** Firmware totals from `size -A` sections, plus the stack reserve. */
export function firmwareSizes(sections: Map<string, number>): SizeTriple & { stackReserve: number } {
  const total = { text: 0, data: 0, bss: 0, stackReserve: sections.get(STACK_SECTION) ?? 0 };
  for (const [name, bytes] of sections) {
    const kind = kindOf(name);
    if (kind) total[kind] += bytes;
  }
  return total;
}

/** Parse `size` (Berkeley) output over several files: file → sizes. */
export function parseBerkeleySize(out: string): Map<string, SizeTriple> {
  const files = new Map<string, SizeTriple>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[0-9a-f]+\s+(.+?)\s*$/.exec(line);
    if (m) files.set(m[4], { text: Number(m[1]), data: Number(m[2]), bss: Number(m[3]) });
  }
  return files;
}

/** text/data/bss of each object (or ELF) file, as arm-none-eabi-size reports them. */
export async function objectSizes(files: string[], opts: { tools?: ToolOptions; timeoutMs?: number } = {}): Promise<Map<string, SizeTriple>> {
  if (files.length === 0) return new Map();
  const r = await runTool(armSize(opts.tools), files, { timeoutMs: opts.timeoutMs ?? 30_000, what: 'measuring object sizes' });
  if (r.exitCode !== 0) throw new Error(`arm-none-eabi-size failed: ${r.stderr.trim()}`);
  return parseBerkeleySize(r.stdout);
}

/** One input section placed in the image, from the linker map. */
export interface MapContribution {
  outputSection: string;
  inputSection: string;
  bytes: number;
  /** Object file as the linker names it: a path, or 'libm.a(lib_a-sf_exp.o)' with the archive's path. */
  file: string;
}

/** What the linker map says: the sections each file contributed, and why archive members came in. */
export interface LinkerMap {
  contributions: MapContribution[];
  /** Archive member → the file and symbol that pulled it in ("file (symbol)"). */
  archiveReasons: Map<string, string>;
}

/** Parse a GNU ld map file (-Wl,-Map). */
export function parseLinkerMap(text: string): LinkerMap {
  const lines = text.split('\n');
  const archiveReasons = new Map<string, string>();
  const head = lines.findIndex((l) => l.startsWith('Archive member included'));
  if (head >= 0) {
    for (let i = head + 1; i < lines.length; i++) {
      const line = lines[i];
      if (/^(Discarded input sections|Memory Configuration|Allocating common symbols|Linker script)/.test(line)) break;
      if (line.trim() === '' || line.startsWith(' ')) continue;
      const sameLine = /^(\S+)\s{2,}(\S.*)$/.exec(line);
      if (sameLine) archiveReasons.set(sameLine[1], sameLine[2].trim());
      else archiveReasons.set(line.trim(), (lines[i + 1] ?? '').trim());
    }
  }
  const start = lines.findIndex((l) => l.startsWith('Linker script and memory map'));
  const contributions: MapContribution[] = [];
  if (start < 0) return { contributions, archiveReasons };
  let output = '';
  for (let j = start + 1; j < lines.length; j++) {
    const line = lines[j];
    // An output section: its name at column 0, with its address and size on the same or the next line.
    const out = /^(\.[^\s*]+)(?:\s+0x[0-9a-f]+\s+0x[0-9a-f]+)?\s*$/.exec(line) ?? /^(\.[^\s*]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+/.exec(line);
    if (out) {
      output = out[1];
      continue;
    }
    if (/^\S/.test(line)) {
      output = '';
      continue;
    }
    // An input section: " name addr size file", or " name" with "addr size file" on the next line.
    let m = /^ ([^\s*][^\s]*)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(line);
    if (!m) {
      const alone = /^ ([^\s*][^\s]*)\s*$/.exec(line);
      const next = alone ? /^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(lines[j + 1] ?? '') : null;
      if (alone && next) {
        m = [line, alone[1], next[1], next[2], next[3]] as unknown as RegExpExecArray;
        j++;
      }
    }
    if (m && output) {
      const bytes = parseInt(m[3], 16);
      if (bytes > 0 && !/^0x/.test(m[4])) contributions.push({ outputSection: output, inputSection: m[1], bytes, file: m[4].trim() });
    }
  }
  return { contributions, archiveReasons };
}

/** Linked bytes per file (text/data/bss by the output section they landed in). */
export function linkedSizesByFile(map: LinkerMap): Map<string, SizeTriple> {
  const byFile = new Map<string, SizeTriple>();
  for (const c of map.contributions) {
    const kind = kindOf(c.outputSection);
    if (!kind) continue;
    const cur = byFile.get(c.file) ?? { ...ZERO_SIZES };
    cur[kind] += c.bytes;
    byFile.set(c.file, cur);
  }
  return byFile;
}

/** Linked bytes of each input section (e.g. '.text.ep__mac_thumb2', one function with -ffunction-sections) per file. */
export function linkedSectionsByFile(map: LinkerMap): Map<string, Map<string, number>> {
  const byFile = new Map<string, Map<string, number>>();
  for (const c of map.contributions) {
    if (!kindOf(c.outputSection)) continue;
    const sections = byFile.get(c.file) ?? new Map<string, number>();
    sections.set(c.inputSection, (sections.get(c.inputSection) ?? 0) + c.bytes);
    byFile.set(c.file, sections);
  }
  return byFile;
}

export function readLinkerMap(file: string): LinkerMap {
  return parseLinkerMap(fs.readFileSync(file, 'utf8'));
}
