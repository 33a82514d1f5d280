// Locks every schema not yet in released.json by its structural hash. Existing entries are never
// rewritten: a released version is immutable, an incompatible change is a new version file.
import { writeFileSync } from 'node:fs';
import {
  checkLock,
  loadSchemaFiles,
  readReleasedLock,
  releasedLockFile,
  structuralHash,
} from '../src/schema-catalog.ts';

const lock = readReleasedLock();
const { broken, unreleased } = checkLock(loadSchemaFiles(), lock);
if (broken.length > 0) {
  console.error(`Nothing released; fix these first:\n${broken.map((b) => `  - ${b}`).join('\n')}`);
  process.exit(1);
}
if (unreleased.length === 0) {
  console.log('Every schema is already released.');
  process.exit(0);
}

const next = { ...lock };
for (const file of unreleased) next[file.key] = structuralHash(file.schema);
const sorted = Object.fromEntries(
  Object.keys(next)
    .sort()
    .map((key) => [key, next[key]]),
);
writeFileSync(releasedLockFile, `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`Released:\n${unreleased.map((f) => `  - ${f.key} (schemas/${f.path})`).join('\n')}`);
