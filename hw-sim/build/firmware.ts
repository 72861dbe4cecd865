// Build a test firmware (model libraries + the hw-sim harness) for a Cortex-M target with
// arm-none-eabi-gcc, or the same harness for the host with gcc. Objects compile in parallel; the
// linker script is rendered from the target profile so that a program too big for the part fails
// at link time with a UserError that gives the sizes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Handlebars from 'handlebars';
import { UserError } from '../../src/errors.js';
import { COMMON_CFLAGS, targetArchFlags } from '../../src/targets/flags.js';
import type { McuTarget } from '../../src/targets/schema.js';
import { repoPath } from '../../src/util/package-root.js';
import {
  addSizes,
  firmwareSizes,
  linkedSectionsByFile,
  linkedSizesByFile,
  objectSizes,
  parseLinkerMap,
  parseSysvSize,
  ZERO_SIZES,
  type LinkerMap,
  type SizeTriple,
} from './sizes.js';
import { BuildError, linkFailure, mallocCulprit, readMapIfAny } from './build-errors.js';
import { libraryObjectKey, objectCacheKey, restoreCachedObject, storeCachedObject } from './object-cache.js';
import { armGcc, armSize, hostCc, NEWLIB_PACKAGE, runLimited, runTool, type Tool, type ToolOptions } from './tools.js';

/** The harness's C sources and templates. */
export const FIRMWARE_DIR = repoPath('hw-sim', 'firmware');

/** One model library linked into a firmware (docs/c-backend.md). */
export interface ModelLibrary {
  /** Name in the protocol and in results: letters, digits, '_', '-', '.'. */
  name: string;
  /** C prefix of the library's symbols ('case7' → case7_run, CASE7_NUM_INPUTS). */
  prefix: string;
  /** Folder holding the library's header (and, by default, its .c files): see libraryHeader. */
  dir: string;
  /** The library's C sources; default: every .c file in `dir`. */
  sources?: string[];
}

export type Optimize = 'O2' | 'O3' | 'Os';

interface CommonBuildOptions {
  /** Where objects, generated files and the program go (created if missing). */
  workDir: string;
  models: ModelLibrary[];
  /** More C sources to compile and link (besides the models' and the harness's). */
  sources?: string[];
  /** -I folders for every source. */
  includeDirs?: string[];
  /** Preprocessor defines for every source (-DNAME=value). */
  defines?: Record<string, string>;
  /** Default O2. */
  optimize?: Optimize;
  /** Timeout of each compiler or linker call (default 60 s). */
  timeoutMs?: number;
  /** Parallel compiler processes (default: the machine's parallelism). */
  jobs?: number;
  tools?: ToolOptions;
}

export interface FirmwareOptions extends CommonBuildOptions {
  target: McuTarget;
  /** Stack the linker reserves above static data: less RAM left fails the link (default 4096). */
  stackReserveBytes?: number;
  /** Top of the stack painted and scanned for the high-water mark (default 128 KiB). */
  stackWindowBytes?: number;
}

export interface FirmwareBuild {
  elf: string;
  /** The linker map (which object placed what, after gc-sections). */
  map: string;
  target: string;
  /** Model names in table order: the index is the `model` argument of HarnessSession.run. */
  models: string[];
  /** The whole linked firmware (harness and C library included). */
  sections: SizeTriple & { stackReserve: number };
  /** Flash used: text + data. */
  flashBytes: number;
  /** Static RAM used: data + bss (the stack comes on top). */
  ramBytes: number;
  /** arm-none-eabi-size of each object, keyed by its source path (before gc-sections drops unused functions). */
  objectSizes: Record<string, SizeTriple>;
  /** Bytes in the linked image by owner, from the linker map: each model name, 'harness', 'extra'
   * (opts.sources) and 'libraries' (newlib's libc/libm and libgcc, pulled in by whoever calls them). */
  linkedSizes: Record<string, SizeTriple>;
  /** Objects taken from the object cache instead of compiled (the harness's own sources: object-cache.ts). */
  cachedObjects: number;
  /** The same owners' linked bytes per input section (one per function with -ffunction-sections). */
  linkedSections: Record<string, Record<string, number>>;
  durationMs: number;
}

export interface HostBuild {
  exe: string;
  models: string[];
  /** How many objects came from the object cache (hw-sim/build/object-cache.ts). */
  cachedObjects: number;
  durationMs: number;
}

const UART_SOURCES: Record<McuTarget['uart']['driver'], string> = {
  cmsdk: 'uart_cmsdk.c',
  'stm32-usart': 'uart_stm32_usart.c',
  pl011: 'uart_pl011.c',
};

const DEFAULT_STACK_RESERVE = 4096;
const DEFAULT_STACK_WINDOW = 128 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

/** -mcpu/-mthumb/-mfpu/-mfloat-abi for the target (soft float without an FPU), then its cflags. */
export function targetCpuFlags(target: McuTarget): string[] {
  return targetArchFlags(target);
}

/** Flags of every C file, host and target (-std=c11 -ffp-contract=off...: bit-identical float results). */
export function commonCFlags(optimize: Optimize = 'O2'): string[] {
  return [...COMMON_CFLAGS, `-${optimize}`];
}

export { BuildError, firstErrors, linkFailure } from './build-errors.js';

// ---- templates ----

const templates = new Map<string, HandlebarsTemplateDelegate>();

function renderTemplate(name: string, view: object): string {
  let t = templates.get(name);
  if (!t) {
    t = Handlebars.compile(fs.readFileSync(path.join(FIRMWARE_DIR, name), 'utf8'), { strict: true, noEscape: true });
    templates.set(name, t);
  }
  return t(view);
}

/** The linker script for a target (link.ld.hbs). */
export function renderLinkScript(target: McuTarget, stackReserveBytes = DEFAULT_STACK_RESERVE): string {
  return renderTemplate('link.ld.hbs', {
    target: target.name,
    flashOrigin: target.flash.origin,
    flashBytes: target.flash.bytes,
    ramOrigin: target.ram.origin,
    ramBytes: target.ram.bytes,
    stackReserve: stackReserveBytes,
  });
}

/** The harness's model table (harness_models.c.hbs). */
export function renderModelTable(models: ModelLibrary[]): string {
  checkModels(models);
  return renderTemplate('harness_models.c.hbs', {
    models: models.map((m) => ({
      name: m.name,
      prefix: m.prefix,
      macroPrefix: m.prefix.toUpperCase(),
      header: path.resolve(libraryHeader(m)),
    })),
  });
}

/**
 * The library's header: `<prefix>.h`, as `edgeprune compile --prefix` names it, or model.h when the folder has no such
 * file (hand-written libraries, and libraries compiled before the files followed the prefix).
 */
export function libraryHeader(m: ModelLibrary): string {
  const named = path.join(m.dir, `${m.prefix}.h`);
  return fs.existsSync(named) ? named : path.join(m.dir, 'model.h');
}

function checkModels(models: ModelLibrary[]): void {
  if (models.length === 0) throw new Error('hw-sim: a firmware needs at least one model library');
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const m of models) {
    if (!/^[A-Za-z0-9_.-]+$/.test(m.name)) throw new Error(`hw-sim: model name '${m.name}' must be letters, digits, '_', '-' or '.'`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.prefix)) throw new Error(`hw-sim: model prefix '${m.prefix}' is not a C identifier`);
    if (names.has(m.name)) throw new Error(`hw-sim: two models are named '${m.name}'`);
    if (prefixes.has(m.prefix)) throw new Error(`hw-sim: two models use the prefix '${m.prefix}'`);
    if (/["\n\\]/.test(path.resolve(m.dir))) throw new Error(`hw-sim: model folder '${m.dir}' has a character #include cannot take`);
    if (!fs.existsSync(libraryHeader(m))) throw new UserError(`model library '${m.name}': neither ${path.join(m.dir, `${m.prefix}.h`)} nor ${path.join(m.dir, 'model.h')} exists`);
    names.add(m.name);
    prefixes.add(m.prefix);
  }
}

function librarySources(m: ModelLibrary): string[] {
  if (m.sources) return m.sources.map((s) => path.resolve(s));
  return fs
    .readdirSync(m.dir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => path.resolve(m.dir, f));
}

// ---- compiling ----

interface Unit {
  source: string;
  object: string;
  /** Who the object belongs to in linkedSizes. */
  owner: string;
  extraFlags: string[];
  /** The files it may include, when they are all known (the harness's own sources): its object may come from the cache. */
  cacheHeaders?: string[];
  /** A model library's folder, for its sources: their objects may come from the cache, keyed by bytes (libraryObjectKey). */
  libraryDir?: string;
}

/**
 * The headers the harness's own sources include (harness.h, and <stdint.h> from the compiler), when no -I folder can
 * stand in for one of them: then their objects may come from the object cache.
 */
function harnessHeaders(opts: CommonBuildOptions): string[] | undefined {
  const shadowed = (opts.includeDirs ?? []).some((d) => fs.existsSync(path.join(d, 'stdint.h')) || fs.existsSync(path.join(d, 'harness.h')));
  return shadowed ? undefined : fs.readdirSync(FIRMWARE_DIR).filter((f) => f.endsWith('.h')).map((f) => path.join(FIRMWARE_DIR, f));
}

function planUnits(opts: CommonBuildOptions, harnessSources: string[], objDir: string): Unit[] {
  const units: Unit[] = [];
  const add = (source: string, owner: string, extraFlags: string[] = [], cache: Pick<Unit, 'cacheHeaders' | 'libraryDir'> = {}): void => {
    const base = path.basename(source, '.c').replace(/[^A-Za-z0-9_.-]/g, '_');
    units.push({ source, object: path.join(objDir, `${units.length}-${base}.o`), owner, extraFlags, ...cache });
  };
  const headers = harnessHeaders(opts);
  for (const s of harnessSources) add(s, 'harness', ['-I', FIRMWARE_DIR], { cacheHeaders: path.dirname(s) === FIRMWARE_DIR ? headers : undefined });
  // A library source beside its headers, with no -I folder that could hold one of them, is keyed by its bytes.
  const keyedByBytes = (s: string, m: ModelLibrary) => !opts.includeDirs?.length && path.dirname(s) === path.resolve(m.dir);
  for (const m of opts.models) for (const s of librarySources(m)) add(s, m.name, [], { libraryDir: keyedByBytes(s, m) ? path.resolve(m.dir) : undefined });
  for (const s of opts.sources ?? []) add(path.resolve(s), 'extra');
  return units;
}

function defineFlags(defines: Record<string, string> = {}): string[] {
  return Object.entries(defines).map(([k, v]) => `-D${k}=${v}`);
}

function includeFlags(dirs: string[] = []): string[] {
  return dirs.flatMap((d) => ['-I', path.resolve(d)]);
}

/** Compile every unit (or take its object from the cache): how many came from the cache. */
async function compileAll(compiler: Tool, units: Unit[], flags: string[], opts: CommonBuildOptions, what: string): Promise<number> {
  let cached = 0;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const jobs = opts.jobs ?? Math.max(1, os.availableParallelism());
  await runLimited(
    units.map((u) => async () => {
      const unitFlags = [...flags, ...u.extraFlags];
      const key = u.cacheHeaders
        ? objectCacheKey(compiler.command, unitFlags, u.source, u.cacheHeaders)
        : u.libraryDir
          ? libraryObjectKey(compiler.command, unitFlags, u.source, u.libraryDir)
          : null;
      if (key && restoreCachedObject(key, u.object)) {
        cached++;
        return;
      }
      const r = await runTool(compiler, [...flags, ...u.extraFlags, '-c', u.source, '-o', u.object], {
        timeoutMs,
        what: `compiling ${u.source}`,
      });
      if (r.exitCode !== 0) {
        throw new BuildError(`compiling ${u.source} for ${what} failed`, r.stderr);
      }
      if (key) storeCachedObject(key, u.object);
    }),
    jobs,
  );
  return cached;
}

// ---- newlib check ----

const newlibChecked = new Set<string>();

async function checkNewlib(gcc: Tool, cpuFlags: string[], timeoutMs: number): Promise<void> {
  const key = [gcc.command, ...cpuFlags].join(' ');
  if (newlibChecked.has(key)) return;
  const r = await runTool(gcc, [...cpuFlags, '-print-file-name=libc_nano.a'], { timeoutMs, what: 'looking for newlib' });
  const file = r.stdout.trim();
  if (r.exitCode !== 0 || !path.isAbsolute(file) || !fs.existsSync(file)) {
    throw new UserError(
      `newlib (the C library for ${gcc.command}) is not installed: libc_nano.a not found for ${cpuFlags.join(' ')}`,
      `install the Debian package ${NEWLIB_PACKAGE} (sudo apt-get install -y ${NEWLIB_PACKAGE}), or run 'make toolchains'`,
    );
  }
  newlibChecked.add(key);
}

// ---- linking ----

/** The owner of a linked file: its unit's (model name, 'harness', 'extra'), or 'libraries' for archive members. */
function ownerOfFile(units: Unit[]): (file: string) => string {
  const ownerOf = new Map(units.map((u) => [path.resolve(u.object), u.owner]));
  return (file) => ownerOf.get(path.resolve(file)) ?? (file.includes('.a(') || file.endsWith('.a') ? 'libraries' : 'harness');
}

/** Linked bytes grouped by owner (model name, 'harness', 'extra', 'libraries'). */
function groupLinkedSizes(map: LinkerMap, units: Unit[]): Record<string, SizeTriple> {
  const owner = ownerOfFile(units);
  const groups: Record<string, SizeTriple> = {};
  for (const [file, sizes] of linkedSizesByFile(map)) groups[owner(file)] = addSizes(groups[owner(file)] ?? ZERO_SIZES, sizes);
  return groups;
}

/** Linked bytes per input section, grouped by owner. */
function groupLinkedSections(map: LinkerMap, units: Unit[]): Record<string, Record<string, number>> {
  const owner = ownerOfFile(units);
  const groups: Record<string, Record<string, number>> = {};
  for (const [file, sections] of linkedSectionsByFile(map)) {
    const group = (groups[owner(file)] ??= {});
    for (const [section, bytes] of sections) group[section] = (group[section] ?? 0) + bytes;
  }
  return groups;
}

/** Build the harness firmware with `models` for `target`. */
export async function buildFirmware(opts: FirmwareOptions): Promise<FirmwareBuild> {
  const started = Date.now();
  const { target } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const stackReserve = opts.stackReserveBytes ?? DEFAULT_STACK_RESERVE;
  const stackWindow = opts.stackWindowBytes ?? DEFAULT_STACK_WINDOW;
  const workDir = path.resolve(opts.workDir);
  const objDir = path.join(workDir, 'obj');
  fs.mkdirSync(objDir, { recursive: true });

  const linkScript = path.join(workDir, 'link.ld');
  fs.writeFileSync(linkScript, renderLinkScript(target, stackReserve));
  const table = path.join(workDir, 'harness_models.c');
  fs.writeFileSync(table, renderModelTable(opts.models));

  const gcc = armGcc(opts.tools);
  const cpu = targetCpuFlags(target);
  await checkNewlib(gcc, cpu, timeoutMs);

  const harness = ['harness.c', 'startup.c', 'platform_arm.c', UART_SOURCES[target.uart.driver]].map((f) => path.join(FIRMWARE_DIR, f));
  const units = planUnits(opts, [...harness, table], objDir);
  const flags = [
    ...cpu,
    ...commonCFlags(opts.optimize),
    `-DEPHW_UART_BASE=${target.uart.base}u`,
    `-DEPHW_STACK_WINDOW=${stackWindow}u`,
    ...defineFlags(opts.defines),
    ...includeFlags(opts.includeDirs),
  ];
  const cachedObjects = await compileAll(gcc, units, flags, opts, target.name);

  const elf = path.join(workDir, 'firmware.elf');
  const mapFile = path.join(workDir, 'firmware.map');
  fs.rmSync(elf, { force: true });
  const link = await runTool(
    gcc,
    [
      ...cpu,
      '-nostartfiles',
      '--specs=nano.specs',
      '-T',
      linkScript,
      '-Wl,--gc-sections',
      `-Wl,-Map=${mapFile}`,
      '-o',
      elf,
      ...units.map((u) => u.object),
      '-lm',
    ],
    { timeoutMs, what: `linking the firmware for ${target.name}` },
  );
  if (link.exitCode !== 0) throw linkFailure(link.stderr, target, stackReserve, readMapIfAny(mapFile));

  const map = parseLinkerMap(fs.readFileSync(mapFile, 'utf8'));
  const culprit = mallocCulprit(map, true);
  if (culprit) throw new UserError(`the program allocates memory (malloc): ${culprit}; model code must not call malloc or stdio`);

  const [elfSize, objSizes] = await Promise.all([
    runTool(armSize(opts.tools), ['-A', elf], { timeoutMs, what: 'measuring the firmware' }),
    objectSizes(
      units.map((u) => u.object),
      { tools: opts.tools, timeoutMs },
    ),
  ]);
  if (elfSize.exitCode !== 0) throw new Error(`arm-none-eabi-size failed: ${elfSize.stderr.trim()}`);
  const sections = firmwareSizes(parseSysvSize(elfSize.stdout));
  const bySource: Record<string, SizeTriple> = {};
  for (const u of units) bySource[u.source] = objSizes.get(u.object) ?? { ...ZERO_SIZES };

  return {
    elf,
    map: mapFile,
    target: target.name,
    models: opts.models.map((m) => m.name),
    sections,
    flashBytes: sections.text + sections.data,
    ramBytes: sections.data + sections.bss,
    objectSizes: bySource,
    linkedSizes: groupLinkedSizes(map, units),
    cachedObjects,
    linkedSections: groupLinkedSections(map, units),
    durationMs: Date.now() - started,
  };
}

/** Build the same harness for the host (stdin/stdout) with gcc. */
export async function buildHostHarness(opts: CommonBuildOptions): Promise<HostBuild> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const workDir = path.resolve(opts.workDir);
  const objDir = path.join(workDir, 'obj');
  fs.mkdirSync(objDir, { recursive: true });
  const table = path.join(workDir, 'harness_models.c');
  fs.writeFileSync(table, renderModelTable(opts.models));

  const cc = hostCc(opts.tools);
  const harness = ['harness.c', 'platform_host.c'].map((f) => path.join(FIRMWARE_DIR, f));
  const units = planUnits(opts, [...harness, table], objDir);
  const flags = [...commonCFlags(opts.optimize), ...defineFlags(opts.defines), ...includeFlags(opts.includeDirs)];
  const cachedObjects = await compileAll(cc, units, flags, opts, 'the host');

  const exe = path.join(workDir, 'harness');
  fs.rmSync(exe, { force: true });
  const link = await runTool(cc, ['-Wl,--gc-sections', '-o', exe, ...units.map((u) => u.object), '-lm'], {
    timeoutMs,
    what: 'linking the host harness',
  });
  if (link.exitCode !== 0) throw new BuildError('linking the host harness failed', link.stderr);
  return { exe, models: opts.models.map((m) => m.name), cachedObjects, durationMs: Date.now() - started };
}
