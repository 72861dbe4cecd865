// Before any test: compile the TypeScript, since CLI tests run the built `edgeprune` command.
import { execa } from 'execa';

export default async function setup(): Promise<void> {
  await execa('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit', timeout: 300_000 });
}
