import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Topics, type EventEnvelope } from '@marketplace/event-contracts';
import { testEnvelope, uniqueSuffix, useSubgraph, waitFor } from '@marketplace/platform/testing';
import { createSearchService } from '../src/service.js';
import { ProductIndex } from '../src/adapters/elasticsearch/product-index.js';

const suffix = uniqueSuffix();
const alias = `products-test-rebuild-${suffix}`;
const sut = useSubgraph(
  createSearchService({
    ...process.env,
    SEARCH_INDEX_ALIAS: alias,
    SEARCH_ENGINE: 'elasticsearch',
    // This fresh group reads the topic from the beginning: other runs' commands expire, not run.
    OPERATIONS_COMMAND_TTL_MS: '20000',
  }),
  { suffix },
);
const { sql, service } = sut;
let index: ProductIndex;

async function searchTotal(query: string): Promise<number> {
  const { data } = await sut.gqlRaw(
    `query($q: String!) { searchProducts(query: $q) { ... on ProductSearchResult { total } } }`,
    { q: query },
  );
  return data.searchProducts.total;
}

const send = (topic: string, ...messages: EventEnvelope[]) => sut.send(messages, { topic });
const handled = (envelope: EventEnvelope) => sut.handled(envelope);

/** Operations' command; the search index is search's. */
const rebuildCommand = () => {
  const jobId = newId();
  return testEnvelope(
    'operations.rebuild-read-model',
    'RebuildJob',
    jobId,
    { jobId, readModel: 'SEARCH_INDEX', requestedBy: newId() },
    { producer: 'operations' },
  );
};

const replies = (jobId: string) =>
  sql<{ event_type: string; envelope: EventEnvelope }>(
    `select event_type, envelope from outbox where topic = 'operations.rebuilds' and message_key = ? order by seq`,
    [jobId],
  );

beforeAll(async () => {
  index = ProductIndex.connect(service.config.elasticsearchUrl, alias);
});

afterAll(async () => {
  if (index) {
    for (const name of await index.aliasedIndices()) await index.deleteIndex(name);
    await index.close();
  }
});

describe("search: operations' rebuild command", () => {
  it('rebuilds the index from its own state behind the alias, and replies started then completed', async () => {
    const productId = newId();
    const word = `lantern${suffix}`;
    const created = testEnvelope(
      'products.product-created',
      'Product',
      productId,
      {
        productId,
        sellerId: newId(),
        version: 1,
        snapshot: {
          name: `Brass ${word}`,
          slug: `brass-${word}`,
          description: 'for the rebuild test',
          status: 'PUBLISHED',
          categoryId: null,
          categoryPath: [],
          attributes: [],
          images: [],
          variants: [],
        },
      },
      { version: 2 },
    );
    await send(Topics.product, created);
    await handled(created);
    await waitFor(async () => (await searchTotal(word)) === 1, 30_000);
    const [before] = await index.aliasedIndices();

    // This fresh group also reads the topic's recent commands (other test runs'), and a rebuild of
    // theirs may be running: then ours is refused (SEARCH.REBUILD_RUNNING) and asked again.
    let command = rebuildCommand();
    let answers: Awaited<ReturnType<typeof replies>> = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      command = rebuildCommand();
      await send(Topics.operationsCommands, command);
      await waitFor(async () => (answers = await replies(command.aggregateId)).length === 2, 60_000);
      const refusal = answers[1]!.envelope.payload as { code?: string };
      if (refusal.code !== 'SEARCH.REBUILD_RUNNING') break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const [started, completed] = answers;
    expect(started?.event_type).toBe('operations.rebuild-started');
    expect(completed?.event_type).toBe('operations.rebuild-completed');
    expect(completed?.envelope.payload).toMatchObject({
      jobId: command.aggregateId,
      readModel: 'SEARCH_INDEX',
      detail: expect.stringMatching(/^\d+ products indexed into /),
    });
    expect(completed?.envelope.causationId).toBe(command.id);

    // A new index behind the alias, the old one gone, and the product still found.
    const after = await index.aliasedIndices();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(await searchTotal(word)).toBe(1);
  });

  it('leaves the other read models to their owners', async () => {
    const jobId = newId();
    const other = testEnvelope(
      'operations.rebuild-read-model',
      'RebuildJob',
      jobId,
      { jobId, readModel: 'REVIEW_RATINGS', requestedBy: newId() },
      { producer: 'operations' },
    );
    await send(Topics.operationsCommands, other);
    await handled(other);
    expect(await replies(jobId)).toEqual([]);
  });
});
