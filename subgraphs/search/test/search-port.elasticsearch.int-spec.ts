import { loadConfig } from '@marketplace/platform';
import { uniqueSuffix } from '@marketplace/platform/testing';
import { ProductIndex } from '../src/adapters/elasticsearch/product-index.js';
import { searchPortContract } from './search-port.contract.js';

// Elasticsearch at ELASTICSEARCH_URL, behind an alias of this run only.
searchPortContract('elasticsearch', async () => {
  const alias = `products-contract-${uniqueSuffix()}`;
  const index = ProductIndex.connect(loadConfig().elasticsearchUrl, alias);
  await index.ensure();
  return {
    index,
    close: async () => {
      await index.client.indices.delete({ index: `${alias}-*` }).catch(() => undefined);
      await index.close();
    },
  };
});
