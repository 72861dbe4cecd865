// The edgeprune CLI run in this process, for the fuzz bench: `node dist/bench/fuzz-child.js <edgeprune args>` does
// what `node bin/edgeprune.js <args>` does, then writes its peak resident memory (KiB) to $EDGEPRUNE_FUZZ_RSS_FILE.

import fs from 'node:fs';

const rssFile = process.env.EDGEPRUNE_FUZZ_RSS_FILE;
process.on('exit', () => {
  if (rssFile) fs.writeFileSync(rssFile, String(process.resourceUsage().maxRSS));
});
process.argv = [process.argv[0], 'edgeprune', ...process.argv.slice(2)];
await import('../src/cli/main.js');
