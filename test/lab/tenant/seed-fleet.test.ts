import { describe, expect, it } from 'vitest';
import { deviceProfile } from '../../../src/lab/tenant/device-profile.js';
import { LAB_CONDITIONS } from '../../../src/lab/tenant/fleet-mix.js';
import { conditionOf, seedFleet } from '../../../src/lab/tenant/seed-fleet.js';

const NOW = Date.parse('2025-01-15T12:00:00Z');

describe('seedFleet', () => {
  it('gives the same fleet for the same seed, and another for another seed', () => {
    const a = seedFleet({ devices: 2000, seed: 7, now: NOW });
    const b = seedFleet({ devices: 2000, seed: 7, now: NOW });
    const c = seedFleet({ devices: 2000, seed: 8, now: NOW });
    expect(b.ids).toEqual(a.ids);
    expect(b.aadIds).toEqual(a.aadIds);
    expect([...b.condition]).toEqual([...a.condition]);
    expect([...b.lastSyncAt]).toEqual([...a.lastSyncAt]);
    expect([...b.escrow]).toEqual([...a.escrow]);
    expect(deviceProfile(7, 42, conditionOf(a, 42))).toEqual(deviceProfile(7, 42, conditionOf(b, 42)));
    expect(c.ids[0]).not.toBe(a.ids[0]);
    expect([...c.condition]).not.toEqual([...a.condition]);
  });

  it('keeps device i the same whatever the fleet size', () => {
    const small = seedFleet({ devices: 100, seed: 3, now: NOW });
    const large = seedFleet({ devices: 1000, seed: 3, now: NOW });
    expect(large.ids.slice(0, 100)).toEqual(small.ids);
    expect([...large.condition.slice(0, 100)]).toEqual([...small.condition]);
  });

  it('seeds about 95% healthy devices and every unhealthy condition', () => {
    const fleet = seedFleet({ devices: 20_000, seed: 1, now: NOW });
    const total = Object.values(fleet.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(20_000);
    expect(fleet.counts.healthy / total).toBeGreaterThan(0.94);
    expect(fleet.counts.healthy / total).toBeLessThan(0.96);
    for (const condition of LAB_CONDITIONS) expect(fleet.counts[condition]).toBeGreaterThan(0);
  });

  it('gives unique GUID ids and realistic names', () => {
    const fleet = seedFleet({ devices: 5000, seed: 1, now: NOW });
    expect(new Set(fleet.ids).size).toBe(5000);
    expect(new Set(fleet.aadIds).size).toBe(5000);
    for (const id of fleet.ids.slice(0, 50))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const p = deviceProfile(1, 0, conditionOf(fleet, 0));
    expect(p.deviceName).toMatch(/^[A-Z]{3}-(LT|DT)-000001$/);
    expect(['IFX', 'NTC', 'STM', 'INTC', 'AMD']).toContain(p.tpm.id);
    expect(p.osVersion).toMatch(/^10\.0\.\d{5}\.\d+$/);
  });

  it('holds 100,000 devices compactly: one column entry per device', () => {
    const fleet = seedFleet({ devices: 100_000, seed: 1, now: NOW });
    expect(fleet.size).toBe(100_000);
    expect(fleet.condition.byteLength).toBe(100_000);
    expect(fleet.indexById.get(fleet.ids[99_999]!)).toBe(99_999);
  });

  it('refuses a bad size or seed with what it expected', () => {
    expect(() => seedFleet({ devices: -1, now: NOW })).toThrow(/expected a device count/);
    expect(() => seedFleet({ seed: 1.5, now: NOW })).toThrow(/expected a seed/);
  });
});
