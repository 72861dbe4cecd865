// The edgeprune CLI run in this process, for the fuzz bench: `node dist/bench/fuzz-child.js <edgeprune args>` does
// what `node bin/edgeprune.js <args>` does, then writes its peak resident memory (KiB) and CPU time (microseconds)
// to $EDGEPRUNE_FUZZ_RSS_FILE as JSON.

import fs from 'node:fs';

const rssFile = process.env.EDGEPRUNE_FUZZ_RSS_FILE;
process.on('exit', () => {
  const u = process.resourceUsage();
  if (rssFile) fs.writeFileSync(rssFile, JSON.stringify({ maxRSS: u.maxRSS, cpu: u.userCPUTime + u.systemCPUTime }));
});
process.argv = [process.argv[0], 'edgeprune', ...process.argv.slice(2)];
await import('../src/cli/main.js');
