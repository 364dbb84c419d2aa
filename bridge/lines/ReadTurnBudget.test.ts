import { describe, expect, it } from 'vitest';
import { ReadTurnBudget } from './ReadTurnBudget.js';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ReadTurnBudget', () => {
  it('pauses once when a turn takes the budget, and resumes on the next turn with the count reset', async () => {
    const events: string[] = [];
    const budget = new ReadTurnBudget(() => events.push('pause'), () => events.push('resume'), 100);
    budget.took(60);
    expect(events).toEqual([]);
    budget.took(40);
    expect(events).toEqual(['pause']);
    // Chunks already on their way while paused do not pause again.
    budget.took(500);
    expect(events).toEqual(['pause']);
    await nextTurn();
    expect(events).toEqual(['pause', 'resume']);
    budget.took(99);
    expect(events).toEqual(['pause', 'resume']);
    budget.took(1);
    expect(events).toEqual(['pause', 'resume', 'pause']);
  });

  it('counts small chunks across turns until they add up to the budget', async () => {
    let pauses = 0;
    const budget = new ReadTurnBudget(() => pauses++, () => undefined, 100);
    for (let i = 0; i < 9; i++) {
      budget.took(10);
      await nextTurn();
    }
    expect(pauses).toBe(0);
    budget.took(10);
    expect(pauses).toBe(1);
  });
});
