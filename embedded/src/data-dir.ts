import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/*
 * The embedded profile's data directory: one PGlite cluster per database, made from one
 * template cluster. Kept apart from embedded.ts so a worker thread can make the template
 * (template-worker.ts) without loading the marketplace.
 */

const TEMPLATE = '.template';
/** Marks a folder as this profile's: only such a folder (or an empty one) is written to. */
const MARKER = '.marketplace-embedded';
const LOCK = '.lock';

/**
 * Takes the data directory for this process: refuses a folder that holds anything but this
 * profile's databases (it never deletes what it did not create), and one that another running
 * copy holds (two processes on one PGlite cluster would corrupt it). Returns the release.
 */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const entries = readdirSync(dataDir);
  if (entries.length > 0 && !entries.includes(MARKER))
    throw new Error(
      `${dataDir} is not empty and holds no ${MARKER}: it is not an embedded marketplace's data directory. ` +
        'Choose a new or empty folder (EMBEDDED_DATA_DIR).',
    );
  if (!entries.includes(MARKER))
    writeFileSync(
      join(dataDir, MARKER),
      'Databases of the marketplace embedded profile (embedded/README.md).\n',
    );
  const lock = join(dataDir, LOCK);
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder !== process.pid && isAlive(holder))
      throw new Error(`another marketplace (pid ${holder}) is running on ${dataDir}`);
    // Left by a process that is gone.
    writeFileSync(lock, String(process.pid));
  }
  // Ours and locked: what an interrupted start left half-made goes.
  for (const entry of readdirSync(dataDir))
    if (entry.includes('.partial-')) rmSync(join(dataDir, entry), { recursive: true, force: true });
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Gives each database its directory. A new PGlite cluster costs an initdb (seconds of WASM
 * work); doing it once and copying the fresh cluster makes the first start of sixteen
 * databases take little more than the first. The copies start at once and run on libuv's
 * threads while the databases already there start on this one; each service waits only for
 * its own. Every cluster is made under a temporary name and renamed into place, so an
 * interrupted first start leaves nothing that looks complete.
 */
export async function prepareDirectories(
  dataDir: string,
  names: string[],
): Promise<(name: string) => Promise<string>> {
  if (dataDir.startsWith('memory:')) return async () => 'memory://';
  const template = await ensureTemplate(dataDir);
  const ready = new Map<string, Promise<string>>();
  for (const name of names) {
    const dir = join(dataDir, name);
    const copied = existsSync(dir)
      ? Promise.resolve(dir)
      : (async () => {
          const partial = `${dir}.partial-${process.pid}`;
          await cp(template, partial, { recursive: true });
          await rename(partial, dir);
          return dir;
        })();
    // Awaited by the service that needs it; a failure surfaces there, not as an unhandled one.
    copied.catch(() => undefined);
    ready.set(name, copied);
  }
  return (name) => ready.get(name) ?? Promise.reject(new Error(`no database directory for ${name}`));
}

/**
 * The cluster every database starts as: an initdb, made once per data directory under a
 * temporary name and renamed into place.
 */
export async function ensureTemplate(dataDir: string): Promise<string> {
  const template = join(dataDir, TEMPLATE);
  if (!existsSync(template)) {
    const partial = `${template}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    const db = await PGlite.create(partial);
    await db.close();
    renameSync(partial, template);
  }
  return template;
}

/**
 * Makes the template on another thread: initdb is seconds of WASM work, which then runs on the
 * second core while this thread loads the marketplace's modules. Call after `claimDataDir`.
 */
export function ensureTemplateInWorker(dataDir: string): Promise<void> {
  if (dataDir.startsWith('memory:')) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./template-worker.js', import.meta.url), { workerData: { dataDir } });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`template worker exited ${code}`)),
    );
  });
}
