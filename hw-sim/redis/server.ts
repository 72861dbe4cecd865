// A throwaway redis-server for tests and benches: started on a free loopback port in its own temporary folder,
// with no persistence, under the process guard (it dies with edgeprune), ready once it answers PING; stop() ends it
// and removes the folder.

import net from 'node:net';
import { UserError } from '../../src/errors.js';
import { makeTempDir, removeTempDir } from '../../src/util/temp-dir.js';
import type { Tool } from '../build/tools.js';
import { describeExit, spawnChild, type Child } from '../process.js';

export const REDIS_SERVER: Tool = { command: 'redis-server', debianPackage: 'redis-server' };

export interface RedisServer {
  port: number;
  url: string;
  readonly child: Child;
  /** End the server (at once, SIGKILL through its guard) and remove its folder; idempotent. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether a Redis server at the port answers PING with PONG. */
export function pingRedis(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      text += d.toString();
      if (text.includes('\r\n')) done(text.startsWith('+PONG'));
    });
  });
}

async function startOnce(dir: string, startTimeoutMs: number): Promise<RedisServer | null> {
  const port = await freePort();
  const child = await spawnChild(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
    lifetimeMs: 24 * 3600_000,
    stdin: false,
  });
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.hasEnded()) {
      const e = await child.exited;
      // Another process took the port between the probe and the start: try another.
      if (/Address already in use/i.test(child.stderrTail()) || /Address already in use/i.test(await collectStdout(child))) return null;
      throw new Error(`redis-server ${describeExit(e)}: ${child.stderrTail()}`);
    }
    if (await pingRedis(port)) {
      let stopped = false;
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        child,
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await child.kill();
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await child.kill();
  throw new UserError(`redis-server did not answer on port ${port} within ${startTimeoutMs / 1000} s`, 'the machine may be overloaded; try again');
}

function collectStdout(child: Child): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const off = child.onStdout((t) => (text += t));
    setImmediate(() => {
      off();
      resolve(text);
    });
  });
}

/** Start a redis-server on a free loopback port; a missing redis-server is a UserError naming the package. */
export async function startRedisServer(options: { startTimeoutMs?: number } = {}): Promise<RedisServer> {
  const dir = makeTempDir('redis');
  try {
    for (let tries = 0; tries < 5; tries++) {
      const server = await startOnce(dir, options.startTimeoutMs ?? 20_000);
      if (server) {
        const stop = server.stop;
        return {
          ...server,
          stop: async () => {
            await stop();
            removeTempDir(dir);
          },
        };
      }
    }
    throw new Error('redis-server found no free port in 5 tries');
  } catch (e) {
    removeTempDir(dir);
    throw e;
  }
}
