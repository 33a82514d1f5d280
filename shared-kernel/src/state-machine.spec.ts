import { describe, expect, it } from '@jest/globals';
import { StateMachine } from './state-machine.js';
import { closedSet } from './closed-set.js';
import { combine, err, ok, domainError } from './result.js';
import { newId, isUuidV7 } from './ids.js';

type Light = 'RED' | 'GREEN' | 'OFF';
const light = new StateMachine<Light>('LIGHT', { RED: ['GREEN', 'OFF'], GREEN: ['RED', 'OFF'], OFF: [] });

describe('StateMachine', () => {
  it('allows listed transitions and refuses others with a stable code', () => {
    expect(light.transition('RED', 'GREEN')).toEqual({ ok: true, value: 'GREEN' });
    expect(light.transition('OFF', 'RED')).toMatchObject({
      ok: false,
      error: { code: 'LIGHT.INVALID_TRANSITION' },
    });
    expect(light.isTerminal('OFF')).toBe(true);
  });
});

describe('Result.combine', () => {
  it('returns the first rejection or all values', () => {
    expect(combine(ok(1), ok('a'))).toEqual({ ok: true, value: [1, 'a'] });
    const e = domainError('X.Y', 'no');
    expect(combine(ok(1), err(e), err(domainError('Z', 'later')))).toEqual({ ok: false, error: e });
  });
});

describe('ids', () => {
  it('are time-ordered UUIDv7', () => {
    const a = newId();
    const b = newId();
    expect(isUuidV7(a)).toBe(true);
    expect(a < b).toBe(true);
  });
});

describe('StateMachine guards', () => {
  type Status = 'PAID' | 'SHIPPED' | 'CANCELLED';
  const order = new StateMachine<Status, { dispatched: number }>(
    'ORDER',
    { PAID: ['SHIPPED', 'CANCELLED'], SHIPPED: [], CANCELLED: [] },
    {
      CANCELLED: (o) => (o.dispatched > 0 ? domainError('ORDER.ALREADY_DISPATCHED', 'dispatched') : null),
    },
  );

  it('consults the guard of the target state with the subject', () => {
    expect(order.transition('PAID', 'CANCELLED', { dispatched: 0 })).toEqual(ok('CANCELLED'));
    expect(order.transition('PAID', 'CANCELLED', { dispatched: 1 })).toMatchObject({
      ok: false,
      error: { code: 'ORDER.ALREADY_DISPATCHED' },
    });
    expect(order.transition('SHIPPED', 'CANCELLED', { dispatched: 0 })).toMatchObject({
      error: { code: 'ORDER.INVALID_TRANSITION' },
    });
  });
});

describe('closedSet', () => {
  const kinds = closedSet('Kind', ['A', 'B'] as const);
  it('parses members and names the allowed values otherwise', () => {
    expect(kinds.parse('A')).toEqual(ok('A'));
    expect(kinds.has('C')).toBe(false);
    expect(kinds.parse('C', 'kind')).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION.NOT_IN_SET', field: 'kind', message: 'kind must be one of A, B' },
    });
  });
});
