import { Logger } from '@nestjs/common';
import argon2 from 'argon2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { ARGON2_OPTIONS, PasswordHasher } from './password.hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ passwordHashing: { concurrency: 2, queue: 8 } } as AppConfig);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should hash with argon2id m=19456 t=2 p=1 when hashing a password', async () => {
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'correct horsE')).toBe(false);
  });

  it('should run one argon2 verification with the same parameters when there is no stored hash', async () => {
    const verify = vi.spyOn(argon2, 'verify');
    expect(await hasher.verify(undefined, 'any password')).toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    const dummy = verify.mock.calls[0]?.[0] ?? '';
    // Same cost as a real account's hash: nothing to rehash under the current parameters.
    expect(argon2.needsRehash(dummy, ARGON2_OPTIONS)).toBe(false);
    expect(dummy.startsWith('$argon2id$')).toBe(true);
  });

  it('should log one summary line per 10 s with the number refused instead of a line per refusal', () => {
    vi.useFakeTimers();
    try {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const busy = new PasswordHasher({ passwordHashing: { concurrency: 1, queue: 0 } } as AppConfig);
      for (let i = 0; i < 5; i += 1) busy.refused();
      expect(warn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(10_000);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain(': 5 sign-ins or registrations refused');
      busy.refused();
      vi.advanceTimersByTime(9_999);
      expect(warn).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(1);
      expect(String(warn.mock.calls[1]?.[0])).toContain(': 1 sign-ins or registrations refused');
    } finally {
      vi.useRealTimers();
    }
  });

  it('should answer false instead of throwing when the stored hash is corrupt', async () => {
    expect(await hasher.verify('not-a-hash', 'whatever')).toBe(false);
  });

  it('should hash the NFKC form and accept any form of it when verifying', async () => {
    const hash = await hasher.hash('cafe\u0301-\uff50w');
    expect(await argon2.verify(hash, 'caf\u00e9-pw')).toBe(true);
    expect(await hasher.verify(hash, 'caf\u00e9-pw')).toBe(true);
    expect(await hasher.verify(hash, 'cafe\u0301-\uff50w')).toBe(true);
  });

  it('should fall back to the raw form when an old hash was made before normalisation', async () => {
    const old = await argon2.hash('cafe\u0301-pw', ARGON2_OPTIONS);
    expect(await hasher.verify(old, 'cafe\u0301-pw')).toBe(true);
    expect(await hasher.verify(old, 'cafe-pw')).toBe(false);
  });
});
