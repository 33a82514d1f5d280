import { describe, expect, it } from '@jest/globals';
import { newId } from '@marketplace/shared-kernel';
import { Shipment, shipmentLifecycle } from './shipment.js';

const now = new Date('2026-12-10T10:00:00Z');
const later = new Date('2026-12-11T10:00:00Z');

function pending() {
  const created = Shipment.create(
    { orderId: newId(), subOrderId: newId(), sellerId: newId(), buyerId: newId() },
    now,
  );
  if (!created.ok) throw new Error(created.error.code);
  return created.value;
}

describe('Shipment', () => {
  it('is created PENDING and announces it', () => {
    const s = pending();
    expect(s.status).toBe('PENDING');
    const [event] = s.pullEvents();
    expect(event).toMatchObject({
      type: 'shipping.shipment-created',
      aggregateId: s.id,
      payload: { status: 'PENDING', carrier: null, trackingNumber: null, version: 1 },
    });
  });

  it('goes PENDING → DISPATCHED → DELIVERED, with events and a timeline', () => {
    const s = pending();
    s.pullEvents();
    expect(s.dispatch(' DHL ', 'JJD000123', later)).toEqual({ ok: true, value: undefined });
    expect(s.deliver(later)).toEqual({ ok: true, value: undefined });
    const events = s.pullEvents();
    expect(events.map((e) => [e.type, e.payload.status, e.payload.version])).toEqual([
      ['shipping.shipment-dispatched', 'DISPATCHED', 2],
      ['shipping.shipment-delivered', 'DELIVERED', 3],
    ]);
    expect(events[1]!.payload).toMatchObject({ carrier: 'DHL', trackingNumber: 'JJD000123' });
    expect(s.timeline.map((t) => t.status)).toEqual(['PENDING', 'DISPATCHED', 'DELIVERED']);
  });

  it('refuses transitions the table does not list', () => {
    const s = pending();
    expect(s.deliver(later)).toMatchObject({ error: { code: 'SHIPMENT.INVALID_TRANSITION' } });
    s.dispatch('DHL', 'JJD0001', later);
    expect(s.dispatch('UPS', '1Z0002', later)).toMatchObject({
      error: { code: 'SHIPMENT.INVALID_TRANSITION' },
    });
    expect(s.cancel('order cancelled', later)).toMatchObject({
      error: { code: 'SHIPMENT.INVALID_TRANSITION' },
    });
    expect(s.carrier).toBe('DHL');
  });

  it('cancels only before dispatch, once, without an integration event', () => {
    const s = pending();
    s.pullEvents();
    expect(s.cancel('Order cancelled', later)).toEqual({ ok: true, value: true });
    expect(s.cancel('Order cancelled', later)).toEqual({ ok: true, value: false });
    expect(s.status).toBe('CANCELLED');
    expect(s.pullEvents()).toEqual([]);
    expect(s.dispatch('DHL', 'JJD0001', later)).toMatchObject({
      error: { code: 'SHIPMENT.INVALID_TRANSITION' },
    });
  });

  it('validates the carrier and tracking number', () => {
    const s = pending();
    expect(s.dispatch('', '1', later)).toMatchObject({ error: { field: 'carrier' } });
    expect(s.dispatch('DHL', 'x'.repeat(101), later)).toMatchObject({ error: { field: 'trackingNumber' } });
    expect(s.status).toBe('PENDING');
  });

  it.each([
    ['carrier', '\u001b[2J\u202eDHL<img src=x onerror=alert(1)>', 'JJD0001', 'VALIDATION.CONTROL_CHARACTERS'],
    ['carrier', 'DHL<img src=x onerror=alert(1)>', 'JJD0001', 'VALIDATION.PATTERN'],
    ['carrier', 'D', 'JJD0001', 'VALIDATION.PATTERN'],
    ['trackingNumber', 'DHL', 'JJD\u00000001', 'VALIDATION.CONTROL_CHARACTERS'],
    ['trackingNumber', 'DHL', 'JJD 0001', 'VALIDATION.PATTERN'],
    ['trackingNumber', 'DHL', 'JJD', 'VALIDATION.PATTERN'],
  ])(
    'refuses a %s with control characters or off its pattern, changing nothing',
    (field, carrier, tracking, code) => {
      const s = pending();
      expect(s.dispatch(carrier, tracking, later)).toMatchObject({ ok: false, error: { code, field } });
      expect(s.status).toBe('PENDING');
      expect(s.pullEvents().map((e) => e.type)).toEqual(['shipping.shipment-created']);
    },
  );

  it('keeps carriers with spaces and &.- as given, and tracking numbers upper-case', () => {
    const s = pending();
    expect(s.dispatch(' S.F. Express & Co-op ', ' jjd-000123 ', later)).toEqual({
      ok: true,
      value: undefined,
    });
    expect([s.carrier, s.trackingNumber]).toEqual(['S.F. Express & Co-op', 'JJD-000123']);
  });

  it('has terminal states DELIVERED and CANCELLED', () => {
    expect(shipmentLifecycle.isTerminal('DELIVERED')).toBe(true);
    expect(shipmentLifecycle.isTerminal('CANCELLED')).toBe(true);
    expect(shipmentLifecycle.isTerminal('PENDING')).toBe(false);
  });
});
