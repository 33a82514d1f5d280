import { workerData } from 'node:worker_threads';
import { ensureTemplate } from './data-dir.js';

// See ensureTemplateInWorker: the template cluster, made on a thread of its own.
await ensureTemplate((workerData as { dataDir: string }).dataDir);
