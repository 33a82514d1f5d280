import { readFile } from 'node:fs/promises';
import { startGateway } from '@marketplace/gateway';

/**
 * Our gateway as production runs it (gateway/src/main.ts), but over the peer-workload
 * supergraph at SUPERGRAPH_PATH; PORT and <NAME>_URL per subgraph come from the environment.
 */
const gateway = await startGateway({
  port: Number(process.env.PORT),
  supergraphSdl: await readFile(process.env.SUPERGRAPH_PATH!, 'utf8'),
});
console.log(`our gateway listening on ${gateway.url}`);
const stop = () => void gateway.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
