// hw-sim: build firmware for a Cortex-M target (or the host), run it in QEMU, on the host or on a
// board (flashed through a debug probe), and get outputs, instruction counts and stack use back through one narrow interface.

export {
  buildFirmware,
  buildHostHarness,
  BuildError,
  renderLinkScript,
  renderModelTable,
  targetCpuFlags,
  commonCFlags,
  type FirmwareBuild,
  type FirmwareOptions,
  type HostBuild,
  type ModelLibrary,
  type Optimize,
} from './build/firmware.js';
export { objectSizes, type SizeTriple } from './build/sizes.js';
export { bothBuilds } from './build/both-builds.js';
export { levelAdapterLibraries, type LevelAdapters, type LevelPort, type LevelsLibraryFolder } from './build/level-adapters.js';
export { armGcc, toolVersion, type ToolOptions } from './build/tools.js';
export { openQemuSession, qemuArgs, type QemuSessionOptions } from './qemu/session.js';
export { openHostSession, type HostSessionOptions } from './host/session.js';
export { openSerialSession, type SerialSessionOptions } from './serial/session.js';
export { flashFirmware, type FlashRequest, type FlashResult } from './flash/flash.js';
export { FLASH_TOOLS, PROBES, checkFlashChoice, type FlashChoice, type FlashTool, type Probe } from './flash/probes.js';
export { FlashError, classifyFlashFailure, shellCommand, type FlashFailureKind } from './flash/failures.js';
export { openocdArgs } from './flash/openocd.js';
export { stFlashArgs } from './flash/st-flash.js';
export {
  HwSimExitError,
  HwSimFaultError,
  HwSimSessionError,
  HwSimTimeoutError,
  type CounterKind,
  type HarnessSession,
  type ModelInfo,
  type RunOptions,
  type RunResult,
  type SessionTimeouts,
  type Transfer,
} from './session.js';
