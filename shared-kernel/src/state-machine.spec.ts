import { describe, expect, it } from '@jest/globals';
import { StateMachine } from './state-machine.js';
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
