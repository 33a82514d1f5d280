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
