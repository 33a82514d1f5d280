import { describe, expect, it } from '@jest/globals';
import { parseAdminArgs, UsageError } from './admin-args.js';

const fails = (args: string[], message: RegExp) => {
  expect(() => parseAdminArgs(args)).toThrow(UsageError);
  expect(() => parseAdminArgs(args)).toThrow(message);
};

describe('parseAdminArgs', () => {
  it('lists dead letters with filters and paging', () => {
    expect(parseAdminArgs(['dead-letters'])).toEqual({
      command: { kind: 'dead-letters', filter: {}, first: 20 },
      json: false,
    });
    expect(
      parseAdminArgs([
        'dead-letters',
        '--status',
        'new',
        '--group',
        'search.indexer',
        '--code',
        'HANDLER.FAILED',
        '--topic',
        'products.product',
        '--first',
        '5',
        '--after',
        'c-1',
        '--json',
      ]),
    ).toEqual({
      command: {
        kind: 'dead-letters',
        filter: {
          status: 'NEW',
          group: 'search.indexer',
          code: 'HANDLER.FAILED',
          originalTopic: 'products.product',
        },
        first: 5,
        after: 'c-1',
      },
      json: true,
    });
  });

  it('takes one id for inspect, replay and discard (with a reason)', () => {
    expect(parseAdminArgs(['dead-letter', 'a-1']).command).toEqual({ kind: 'dead-letter', id: 'a-1' });
    expect(parseAdminArgs(['replay', 'a-1']).command).toEqual({ kind: 'replay', id: 'a-1' });
    expect(parseAdminArgs(['discard', 'a-1', '--reason', 'fixed by hand']).command).toEqual({
      kind: 'discard',
      id: 'a-1',
      reason: 'fixed by hand',
    });
    fails(['replay'], /exactly one dead letter id/);
    fails(['replay', 'a-1', 'a-2'], /exactly one dead letter id/);
    fails(['discard', 'a-1'], /--reason/);
  });

  it('names read models as the GraphQL enum', () => {
    expect(parseAdminArgs(['rebuild', 'search-index']).command).toEqual({
      kind: 'rebuild',
      readModel: 'SEARCH_INDEX',
      wait: false,
    });
    expect(parseAdminArgs(['rebuild', 'review-ratings', '--wait']).command).toEqual({
      kind: 'rebuild',
      readModel: 'REVIEW_RATINGS',
      wait: true,
    });
    expect(parseAdminArgs(['rebuild-job', 'j-1']).command).toEqual({ kind: 'rebuild-job', id: 'j-1' });
    fails(['rebuild', 'everything'], /unknown read model everything/);
  });

  it('shows a saga by checkout id', () => {
    expect(parseAdminArgs(['saga', 'c-1'])).toEqual({
      command: { kind: 'saga', checkoutId: 'c-1' },
      json: false,
    });
  });

  it('lists dead outbox rows of one subgraph or all, and retries or discards one in a named subgraph', () => {
    expect(parseAdminArgs(['outbox-dead']).command).toEqual({ kind: 'outbox-dead', first: 50 });
    expect(parseAdminArgs(['outbox-dead', '--subgraph', 'orders', '--first', '5', '--json'])).toEqual({
      command: { kind: 'outbox-dead', subgraph: 'orders', first: 5 },
      json: true,
    });
    expect(parseAdminArgs(['outbox-retry', 'r-1', '--subgraph', 'orders']).command).toEqual({
      kind: 'outbox-retry',
      subgraph: 'orders',
      id: 'r-1',
    });
    expect(
      parseAdminArgs(['outbox-discard', 'r-1', '--subgraph', 'orders', '--reason', 'superseded']).command,
    ).toEqual({ kind: 'outbox-discard', subgraph: 'orders', id: 'r-1', reason: 'superseded' });
    fails(['outbox-retry', 'r-1'], /needs --subgraph/);
    fails(['outbox-retry', '--subgraph', 'orders'], /exactly one outbox row id/);
    fails(['outbox-discard', 'r-1', '--subgraph', 'orders'], /--reason/);
    fails(['outbox-discard', 'r-1', '--subgraph', 'orders', '--reason', '  '], /--reason/);
    fails(['outbox-dead', '--first', '501'], /--first/);
    fails(['outbox-dead', 'orders'], /takes no arguments/);
    fails(
      ['outbox-retry', 'r-1', '--subgraph', 'orders', '--reason', 'x'],
      /outbox-retry does not take --reason/,
    );
  });

  it('refuses what it does not understand, with a reason', () => {
    expect(parseAdminArgs([]).command).toEqual({ kind: 'help' });
    expect(parseAdminArgs(['--help']).command).toEqual({ kind: 'help' });
    fails(['purge'], /unknown admin command: purge/);
    fails(['dead-letters', '--status', 'LOST'], /--status must be one of NEW, REPLAYED, DISCARDED/);
    fails(['dead-letters', '--first', '0'], /--first/);
    fails(['dead-letters', '--first', 'ten'], /--first/);
    fails(['dead-letters', 'extra'], /takes no arguments/);
    fails(['replay', 'a-1', '--status', 'NEW'], /replay does not take --status/);
    fails(['dead-letters', '--bogus'], /bogus/);
  });
});
