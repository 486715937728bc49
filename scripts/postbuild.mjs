// Marks the two bins executable so `./dist/index.js` and a linked `membrane-sandbox` run directly.
import { chmodSync, existsSync } from 'node:fs';

for (const bin of ['dist/index.js', 'dist/sandbox/cli.js']) {
  if (existsSync(bin)) chmodSync(bin, 0o755);
}
