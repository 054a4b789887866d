import { describe, expect, it } from 'vitest';
import { AuthModel, CpuModel, TOKEN_CHECK_US, bcryptCheckUs } from './auth';

describe('CpuModel', () => {
  it('runs work on the core that is free first', () => {
    const cpu = new CpuModel(2);
    expect(cpu.run(0, 100)).toEqual({ startUs: 0, doneUs: 100 });
    expect(cpu.run(0, 100)).toEqual({ startUs: 0, doneUs: 100 });
    expect(cpu.run(10, 100)).toEqual({ startUs: 100, doneUs: 200 });
    expect(cpu.run(500, 5)).toEqual({ startUs: 500, doneUs: 505 });
  });
});

describe('AuthModel', () => {
  const settings = { bcryptCost: 10, cpuCores: 2 };

  it('off: serves at once', () => {
    expect(new AuthModel({ ...settings, mode: 'off' }).admit(1, 42)).toEqual({
      readyUs: 42,
      check: 'none',
      costUs: 0,
    });
  });

  it('bcrypt: every request pays a password check, rationed by the cores', () => {
    const a = new AuthModel({ ...settings, mode: 'bcrypt' });
    const cost = bcryptCheckUs(10);
    const ready = Array.from({ length: 6 }, () => a.admit(1, 0).readyUs);
    expect(ready).toEqual([cost, cost, 2 * cost, 2 * cost, 3 * cost, 3 * cost]);
    // The ceiling: cores / check time, about 31 requests per second at cost 10 on 2 cores.
    expect(Math.round(2 / (cost / 1e6))).toBe(31);
  });

  it('token: one password check per client session, then cheap token checks', () => {
    const a = new AuthModel({ ...settings, mode: 'token' });
    expect(a.admit(7, 0)).toMatchObject({ check: 'password', costUs: bcryptCheckUs(10) });
    expect(a.admit(7, 1_000_000)).toEqual({
      readyUs: 1_000_000 + TOKEN_CHECK_US,
      check: 'token',
      costUs: TOKEN_CHECK_US,
    });
    expect(a.admit(8, 1_000_000)).toMatchObject({ check: 'password' });
  });

  it('doubles the check time with each step of the cost factor', () => {
    expect(bcryptCheckUs(11)).toBe(2 * bcryptCheckUs(10));
    expect(() => new AuthModel({ mode: 'bcrypt', bcryptCost: 3, cpuCores: 1 })).toThrow(
      /cost must be an integer from 4 to 31/,
    );
    expect(() => new CpuModel(0)).toThrow(/cores must be a positive integer/);
  });
});
