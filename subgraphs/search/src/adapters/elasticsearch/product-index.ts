import { Client, errors } from '@elastic/elasticsearch';
import {
  SEARCHABLE_STATUS,
  type ProductDocument,
  type SearchRequest,
} from '../../domain/product-document.js';

const MAPPINGS = {
  dynamic: 'strict' as const,
  properties: {
    productId: { type: 'keyword' as const },
    sellerId: { type: 'keyword' as const },
    name: { type: 'text' as const, fields: { raw: { type: 'keyword' as const, ignore_above: 256 } } },
    description: { type: 'text' as const },
    priceAmount: { type: 'long' as const },
    currency: { type: 'keyword' as const },
    status: { type: 'keyword' as const },
    version: { type: 'long' as const },
    updatedAt: { type: 'date' as const },
  },
};

/**
 * Products in Elasticsearch behind an alias (`<alias>` -> `<alias>-v1`), so a later rebuild
 * can fill a new index and swap the alias without downtime.
 */
export class ProductIndex {
  constructor(
    readonly client: Client,
    readonly alias: string,
  ) {}

  static connect(node: string, alias: string): ProductIndex {
    return new ProductIndex(new Client({ node, requestTimeout: 10_000 }), alias);
  }

  async ensure(): Promise<void> {
    if (await this.client.indices.existsAlias({ name: this.alias })) return;
    const index = `${this.alias}-v1`;
    try {
      await this.client.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '200ms' },
        mappings: MAPPINGS,
        aliases: { [this.alias]: {} },
      });
    } catch (error) {
      // Another instance created it first.
      if (!(
        error instanceof errors.ResponseError &&
        error.body?.error?.type === 'resource_already_exists_exception'
      ))
        throw error;
    }
  }

  /**
   * Writes the document unless the index already holds the same or a newer version of it:
   * external versioning makes redelivered and stale events harmless.
   */
  async upsert(doc: ProductDocument): Promise<'written' | 'stale'> {
    try {
      await this.client.index({
        index: this.alias,
        id: doc.productId,
        document: doc,
        version: doc.version,
        version_type: 'external',
      });
      return 'written';
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 409) return 'stale';
      throw error;
    }
  }

  /** Full-text over name and description with typo tolerance; published products only. */
  async search(request: SearchRequest): Promise<{ total: number; productIds: string[] }> {
    const must = request.text
      ? [
          {
            multi_match: {
              query: request.text,
              fields: ['name^3', 'description'],
              fuzziness: 'AUTO',
              operator: 'and' as const,
              prefix_length: 1,
            },
          },
        ]
      : [{ match_all: {} }];
    const response = await this.client.search<ProductDocument>({
      index: this.alias,
      size: request.first,
      track_total_hits: true,
      query: { bool: { must, filter: [{ term: { status: SEARCHABLE_STATUS } }] } },
      sort: ['_score', { updatedAt: 'desc' }, { productId: 'asc' }],
      _source: false,
    });
    const total = response.hits.total;
    return {
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      productIds: response.hits.hits.map((hit) => hit._id!).filter(Boolean),
    };
  }

  async healthy(): Promise<boolean> {
    const health = await this.client.cluster.health({ timeout: '1s' });
    return health.status !== 'red';
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
