// hw-sim without tools: the protocol client against a scripted firmware, the linker map and size
// parsers, and the link-failure messages.
import { describe, expect, it } from 'vitest';
import { BuildError, firstErrors, linkFailure, renderLinkScript, renderModelTable } from '../../hw-sim/build/firmware.js';
import { linkedSectionsByFile, linkedSizesByFile, parseBerkeleySize, parseLinkerMap, parseSysvSize, firmwareSizes } from '../../hw-sim/build/sizes.js';
import { HarnessClient, HwSimFaultError, HwSimSessionError, HwSimTimeoutError } from '../../hw-sim/protocol/client.js';
import { UserError } from '../../src/errors.js';
import { FAKE, target, TROUBLE } from './support.js';

/** A client whose far end is `firmware`: it gets each command line and answers through feed(). */
function scripted(firmware: (line: string, reply: (text: string) => void) => void): { client: HarnessClient; sent: string[] } {
  const sent: string[] = [];
  const client: HarnessClient = new HarnessClient(
    {
      write: async (text) => {
        for (const line of text.split('\n').filter(Boolean)) {
          sent.push(line);
          firmware(line, (reply) => setTimeout(() => client.feed(reply), 1));
        }
      },
    },
    'scripted',
  );
  return { client, sent };
}

describe('protocol client', () => {
  it('pings until answered, then skips late answers and noise', async () => {
    let booted = false;
    setTimeout(() => (booted = true), 60);
    const { client, sent } = scripted((line, reply) => {
      if (!booted) return; // like a USART that drops bytes until enabled
      const m = /^P (\d+)$/.exec(line);
      if (m) reply(`boot noise\r\n@EP PONG ${m[1]} 1\r\nmore noise @EP PONG 999 1\n`);
    });
    await client.handshake(2000);
    expect(sent.length).toBeGreaterThan(2);
    expect(sent.at(-1)).toMatch(/^P 100\d+$/);
    expect(client.strayLines).toContain('boot noise');
    expect(client.strayLines).toContain('more noise ');
  });

  it('refuses a firmware of another protocol version', async () => {
    const { client } = scripted((line, reply) => reply(`@EP PONG ${line.slice(2)} 2\n`));
    await expect(client.handshake(500)).rejects.toThrow(/speaks protocol v2, this host v1: rebuild it/);
  });

  it('times out with the command and the time it waited', async () => {
    const { client } = scripted(() => undefined);
    // (Not toThrow(new HwSimTimeoutError(…)): that compares the hint too, which quotes the load average of the moment.)
    const e = await client.handshake(100).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HwSimTimeoutError);
    expect((e as Error).message).toBe('scripted: the firmware did not answer a ping within 100 ms');
    expect((e as HwSimTimeoutError).hint).toMatch(/load average/);
  });

  it('parses a description and a run, split across arbitrary chunks', async () => {
    const { client } = scripted((line, reply) => {
      if (line === 'D') {
        const text = '@EP DESC 2 systick 131072\n@EP MODEL 0 fake 3 2 32 32 4 32 4\n@EP MODEL 1 trouble 1 1 4 4\n';
        for (let i = 0; i < text.length; i += 7) reply(text.slice(i, i + 7));
      }
      if (line.startsWith('R 1 ')) reply('@EP OUT 0 0000c03f\n@EP RUN 0 117 528 656\n');
    });
    const d = await client.describe(500);
    expect(d).toEqual({
      counter: 'systick',
      stackWindowBytes: 131072,
      models: [
        { name: 'fake', inputBytes: [32, 32, 4], outputBytes: [32, 4] },
        { name: 'trouble', inputBytes: [4], outputBytes: [4] },
      ],
    });
    const r = await client.run(1, d.models[1], [new Uint8Array([0, 0, 0x80, 0x3f])], 500);
    expect(r).toEqual({ outputs: [new Uint8Array([0, 0, 0xc0, 0x3f])], status: 0, ticks: 117, stackBytes: 528, stackTotalBytes: 656 });
  });

  it('turns ERR and FAULT replies into errors', async () => {
    const { client } = scripted((line, reply) => {
      if (line.startsWith('R 0')) reply('@EP ERR no such model\n');
      if (line.startsWith('R 1')) reply('@EP FAULT hardfault 0000012a 00010000\n');
    });
    const model = { name: 'm', inputBytes: [], outputBytes: [4] };
    await expect(client.run(0, model, [], 500)).rejects.toThrow(new HwSimSessionError("scripted: the harness refused run of model 0 'm': no such model"));
    const fault = client.run(1, model, [], 500);
    await expect(fault).rejects.toThrow(HwSimFaultError);
    await expect(fault).rejects.toMatchObject({ fault: 'hardfault', pc: 0x12a, detail: 0x10000 });
  });

  it('fails a pending read at once when the far end goes away', async () => {
    const { client } = scripted(() => undefined);
    const pending = client.describe(10_000);
    setTimeout(() => client.end(new HwSimSessionError('QEMU exited with code 1')), 5);
    await expect(pending).rejects.toThrow('QEMU exited with code 1');
  });

  it('fails a write that never completes as soon as the far end goes away, not at the timeout', async () => {
    // A write to the pty of a QEMU that just died may never call back: the handshake used to wait
    // for its whole timeout and then blame the firmware ("did not answer a ping").
    const client = new HarnessClient({ write: () => new Promise<void>(() => undefined) }, 'stuck');
    const handshake = client.handshake(5_000);
    setTimeout(() => client.end(new HwSimSessionError('QEMU was killed by SIGABRT')), 5);
    await expect(handshake).rejects.toThrow(new HwSimSessionError('QEMU was killed by SIGABRT'));
  });

  it('runs a batch (B): one command, a RUN line per run with its own TRACE lines, DONE with the count', async () => {
    const model = { name: 'm', inputBytes: [4], outputBytes: [4] };
    const { client, sent } = scripted((line, reply) => {
      if (line.startsWith('B 0 2 ')) reply('@EP TRACE 0 0 01\n@EP RUN 0 10 8 16\n@EP TRACE 0 0 02\n@EP RUN 1 11 8 16\n@EP DONE 2\n');
      if (line.startsWith('B 0 3 ')) reply('@EP RUN 0 10 8 16\n@EP ERR the input file is shorter than the model\'s inputs\n');
    });
    const runs = await client.runBatchWithFiles(0, model, 2, '/t/in-0.bin', '/t/out-0.bin', 500);
    expect(sent).toEqual(['B 0 2 /t/in-0.bin /t/out-0.bin']);
    expect(runs).toEqual([
      { status: 0, ticks: 10, stackBytes: 8, stackTotalBytes: 16, trace: [{ step: 0, output: 0, bytes: new Uint8Array([1]) }] },
      { status: 1, ticks: 11, stackBytes: 8, stackTotalBytes: 16, trace: [{ step: 0, output: 0, bytes: new Uint8Array([2]) }] },
    ]);
    await expect(client.runBatchWithFiles(0, model, 3, '/t/in-1.bin', '/t/out-1.bin', 500)).rejects.toThrow(/the harness refused batch of 3 runs of model 0 'm': the input file is shorter/);
  });

  it('reads a step-marks build\'s MARKS lines (R, B) and its mark cost (K), and refuses marks that wrapped', async () => {
    const model = { name: 'm', inputBytes: [1], outputBytes: [1] };
    const { client, sent } = scripted((line, reply) => {
      if (line.startsWith('R 0 ')) reply('@EP OUT 0 07\n@EP MARKS 3 5 9 40\n@EP RUN 0 44 8 16\n');
      if (line.startsWith('B 0 2 ')) reply('@EP MARKS 2 1 2\n@EP RUN 0 10 8 16\n@EP RUN 0 11 8 16\n@EP DONE 2\n');
      if (line === 'K 4096') reply('@EP MARKCOST 4096 2000 3400\n');
      if (line.startsWith('F 0 ')) reply('@EP MARKS 300 1 2\n@EP RUN 0 10 8 16\n');
    });
    expect(await client.run(0, model, [new Uint8Array([1])], 500)).toEqual({ outputs: [new Uint8Array([7])], status: 0, ticks: 44, stackBytes: 8, stackTotalBytes: 16, marks: [5, 9, 40] });
    const runs = await client.runBatchWithFiles(0, model, 2, '/t/in-0.bin', '/t/out-0.bin', 500);
    expect(runs.map((r) => r.marks)).toEqual([[1, 2], undefined]);
    expect(await client.markCost(4096, 500)).toEqual({ turns: 4096, once: 2000, twice: 3400 });
    expect(sent).toContain('K 4096');
    await expect(client.runWithFiles(0, model, '/t/in-1.bin', '/t/out-1.bin', 500)).rejects.toThrow(/the run made 300 step marks, more than the firmware keeps \(2\)/);
  });

  it('rejects outputs of the wrong size', async () => {
    const { client } = scripted((_line, reply) => reply('@EP OUT 0 00\n@EP RUN 0 1 2 3\n'));
    await expect(client.run(0, { name: 'm', inputBytes: [], outputBytes: [4] }, [], 500)).rejects.toThrow(/output 0 has 1 bytes, expected 4/);
  });
});

const MAP = `Archive member included to satisfy reference by file (symbol)

/usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(libc_a-memcpy.o)
                              /tmp/w/obj/6-model.o (memcpy)
/usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libm.a(libm_a-sf_exp.o)  /tmp/w/obj/6-model.o (expf)

Discarded input sections

 .text          0x00000000        0x0 /tmp/w/obj/0-harness.o
 .text.unused   0x00000000       0x40 /tmp/w/obj/6-model.o

Memory Configuration

Name             Origin             Length             Attributes
FLASH            0x00000000         0x00040000         xr

Linker script and memory map

                0x00001000                        __stack_reserve = 0x1000

.vectors        0x00000000       0x40
 *(.vectors)
 .vectors       0x00000000       0x40 /tmp/w/obj/1-startup.o
                0x00000000                ephw_vectors

.text           0x00000040      0x1a0
 *(.text .text.* .gnu.linkonce.t.*)
 .text.put_u64  0x00000040       0x54 /tmp/w/obj/0-harness.o
 .text.fake_run_with_a_long_name
                0x00000094       0x80 /tmp/w/obj/6-model.o
                0x00000094                fake_run_with_a_long_name
 .text          0x00000114       0xcc /usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(libc_a-memcpy.o)
 *fill*         0x000001e0        0x0
 .glue_7        0x000001e0        0x0 linker stubs

.rodata         0x000001e0       0x10
 .rodata.tab    0x000001e0       0x10 /tmp/w/obj/6-model.o

.data           0x20000000        0x8 load address 0x000001f0
 .data.x        0x20000000        0x8 /tmp/w/obj/6-model.o

.bss            0x20000008       0x6c
 .bss.fake_arena
                0x20000008       0x6c /tmp/w/obj/6-model.o

.stack          0x20000078     0x1000
                0x20000078                __stack_limit = .
                0x20001078                . = (. + __stack_reserve)

.ARM.attributes
                0x00000000       0x2e
 .ARM.attributes
                0x00000000       0x2e /tmp/w/obj/0-harness.o
`;

describe('size and map parsers', () => {
  it('attributes linked bytes to files after gc-sections, and archive members to who pulled them in', () => {
    const map = parseLinkerMap(MAP);
    const sizes = linkedSizesByFile(map);
    expect(sizes.get('/tmp/w/obj/6-model.o')).toEqual({ text: 0x80 + 0x10, data: 8, bss: 0x6c });
    expect(sizes.get('/tmp/w/obj/0-harness.o')).toEqual({ text: 0x54, data: 0, bss: 0 });
    expect(sizes.get('/tmp/w/obj/1-startup.o')).toEqual({ text: 0x40, data: 0, bss: 0 });
    expect(sizes.get('/usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(libc_a-memcpy.o)')).toEqual({ text: 0xcc, data: 0, bss: 0 });
    expect(map.archiveReasons.get('/usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libc_nano.a(libc_a-memcpy.o)')).toBe('/tmp/w/obj/6-model.o (memcpy)');
    expect(map.archiveReasons.get('/usr/lib/arm-none-eabi/lib/thumb/v7e-m+fp/hard/libm.a(libm_a-sf_exp.o)')).toBe('/tmp/w/obj/6-model.o (expf)');
  });

  it('gives the linked bytes of each file per input section (a function with -ffunction-sections), not the discarded ones', () => {
    const sections = linkedSectionsByFile(parseLinkerMap(MAP));
    expect(Object.fromEntries(sections.get('/tmp/w/obj/6-model.o')!)).toEqual({ '.text.fake_run_with_a_long_name': 0x80, '.rodata.tab': 0x10, '.data.x': 8, '.bss.fake_arena': 0x6c });
    expect(Object.fromEntries(sections.get('/tmp/w/obj/0-harness.o')!)).toEqual({ '.text.put_u64': 0x54 });
  });

  it('reads arm-none-eabi-size output in both formats', () => {
    const sysv = parseSysvSize('fw.elf  :\nsection    size   addr\n.vectors     64      0\n.text      3380     64\n.rodata     728   3448\n.data         4  536870912\n.bss        116  536870916\n.stack     4096  536871032\n.ARM.attributes 52 0\n.comment 38 0\nTotal 8478\n');
    expect(firmwareSizes(sysv)).toEqual({ text: 64 + 3380 + 728, data: 4, bss: 116, stackReserve: 4096 });
    const berkeley = parseBerkeleySize('   text\t   data\t    bss\t    dec\t    hex\tfilename\n   2770\t      4\t      0\t   2774\t    ad6\t/tmp/w/obj/0-harness.o\n    428\t      0\t    108\t    536\t    218\t/tmp/w/obj/6-model.o\n');
    expect(berkeley.get('/tmp/w/obj/6-model.o')).toEqual({ text: 428, data: 0, bss: 108 });
    expect(berkeley.size).toBe(2);
  });
});

describe('link failures', () => {
  const stm32 = target('stm32f405');

  it('give the sizes when the program does not fit', () => {
    const e = linkFailure(
      "/usr/bin/arm-none-eabi-ld: /tmp/w/firmware.elf section `.bss' will not fit in region `RAM'\n/usr/bin/arm-none-eabi-ld: region `RAM' overflowed by 37000 bytes\n/usr/bin/arm-none-eabi-ld: region `FLASH' overflowed by 12 bytes\ncollect2: error: ld returned 1 exit status\n",
      stm32,
      4096,
    );
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe(
      'the program does not fit stm32f405: RAM overflowed by 37000 bytes: static data + bss need 163976 bytes plus 4096 reserved for the stack = 168072, the part has 131072; flash overflowed by 12 bytes: code + constants + initial data need 1048588 bytes, the part has 1048576',
    );
  });

  it('blame malloc on whoever pulled it in', () => {
    const map = parseLinkerMap('Archive member included to satisfy reference by file (symbol)\n\n/x/libc_nano.a(libc_a-nano-mallocr.o)\n                              /tmp/w/obj/6-model.o (malloc)\n\n');
    const e = linkFailure("libc_nano.a(libc_a-sbrkr.o): in function `_sbrk_r':\nundefined reference to `_sbrk'\n", stm32, 4096, map);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe('the program allocates memory (malloc): called by /tmp/w/obj/6-model.o (malloc); model code must not call malloc or stdio');
  });

  it('pass other linker errors through as a one-line UserError with the linker\'s reason', () => {
    const e = linkFailure("/tmp/w/obj/6-model.o: in function `m_run':\nmodel.c:(.text+0x10): undefined reference to `missing_kernel'\ncollect2: error: ld returned 1 exit status\n", stm32, 4096);
    expect(e).toBeInstanceOf(BuildError);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).toBe("linking the firmware for stm32f405 failed: model.c:(.text+0x10): undefined reference to `missing_kernel' | collect2: error: ld returned 1 exit status");
  });
});

describe('compiler errors', () => {
  it('keep the first error lines with file:line, on one line', () => {
    const gcc = [
      "/tmp/w/model/model.c: In function 'm_run':",
      "/tmp/w/model/model.c:12:5: error: expected ';' before 'return'",
      '   12 |     return 0',
      "/tmp/w/model/model.c:20:1: error: unknown type name 'flaot'",
      "/tmp/w/model/model.c:21:1: error: unknown type name 'itn'",
      "/tmp/w/model/model.c:22:1: error: unknown type name 'x'",
    ].join('\n');
    expect(firstErrors(gcc)).toBe(
      "/tmp/w/model/model.c:12:5: error: expected ';' before 'return' | /tmp/w/model/model.c:20:1: error: unknown type name 'flaot' | /tmp/w/model/model.c:21:1: error: unknown type name 'itn' (and 1 more)",
    );
    const e = new BuildError('compiling /tmp/w/model/model.c for stm32f405 failed', gcc);
    expect(e).toBeInstanceOf(UserError);
    expect(e.message).not.toMatch(/\n/);
    expect(e.compilerOutput).toBe(gcc);
  });
});

describe('generated files', () => {
  it('render the linker script from the target profile', () => {
    const ld = renderLinkScript(target('lm3s6965'), 2048);
    expect(ld).toMatch(/FLASH \(rx\)  : ORIGIN = 0x00000000, LENGTH = 262144/);
    expect(ld).toMatch(/RAM   \(rwx\) : ORIGIN = 0x20000000, LENGTH = 65536/);
    expect(ld).toMatch(/__stack_reserve = 2048;/);
  });

  it('render the model table with each library\'s prefix', () => {
    const c = renderModelTable([FAKE, TROUBLE]);
    expect(c).toMatch(/#include ".*c-fake-model\/model.h"/);
    expect(c).toMatch(/\{"trouble", trouble_run, trouble_input, trouble_output, trouble_input_bytes, trouble_output_bytes,\s+TROUBLE_NUM_INPUTS, TROUBLE_NUM_OUTPUTS\}/);
    expect(() => renderModelTable([FAKE, { ...TROUBLE, prefix: 'fake' }])).toThrow(/two models use the prefix 'fake'/);
    expect(() => renderModelTable([{ ...FAKE, name: 'has space' }])).toThrow(/model name 'has space'/);
    expect(() => renderModelTable([])).toThrow(/at least one model/);
  });
});
