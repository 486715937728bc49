// Shared tools of the seed modules: the PRNG wrapper, the seed's clock, and small generators
// (phones, timestamps, e-mail slugs). Only ctx.random() and ctx.now() feed them.
import type { Repo } from './repo.js';
import { PHONE_FORMATS } from './seed-data.js';

export const DAY = 86_400;

/** Small helpers over the seed's PRNG. */
export class Dice {
  constructor(private readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A few distinct items. */
  some<T>(items: readonly T[], max: number): T[] {
    const count = this.int(0, max);
    const pool = [...items];
    const out: T[] = [];
    for (let i = 0; i < count && pool.length > 0; i++) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]);
    return out;
  }

  digits(pattern: string): string {
    return pattern.replace(/X/g, () => String(this.int(0, 9)));
  }
}

/** ASCII slug for e-mail local parts: "Müller" → "muller", "Al-Sayed" → "alsayed". */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

export interface Seeder {
  repo: Repo;
  dice: Dice;
  now: number;
}

export function phoneOf(s: Seeder, country: string): string {
  const format = PHONE_FORMATS[country];
  return `${format.prefix} ${s.dice.digits(format.pattern)}`;
}

/** A creation time `minDays..maxDays` ago (at a random second), and an update time after it. */
export function timestamps(s: Seeder, minDays: number, maxDays: number): { created_at: number; updated_at: number } {
  const created_at = s.now - s.dice.int(minDays * DAY, maxDays * DAY);
  const updated_at = created_at + s.dice.int(0, Math.max(0, s.now - created_at - 3600));
  return { created_at, updated_at };
}
