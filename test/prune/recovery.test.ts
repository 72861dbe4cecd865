// The recovery policy shared by build and prune (proposeWithRecovery): each stage a → d reached in order, with fake proposals; and when a recovery fine-tune is kept (recoveryHelped).
import { describe, expect, it } from 'vitest';
import { proposeWithRecovery, recoveryHelped, type RecoveryHooks, type Tried } from '../../src/prune/recovery.js';

/** Fake hooks: a proposal's validation is a function of the stage; every call is logged. */
function hooks(o: { first?: number; retune?: (round: number) => number; afterRecovery?: number; smaller?: (scale: number) => number | null; joint?: number | null; canRecover?: boolean }) {
  const log: string[] = [];
  let recovered = false;
  const t = (description: string, validation: number): Tried<string> => ({ candidate: description, description, validation });
  const h: RecoveryHooks<string> = {
    propose: async (scale) => {
      log.push(`propose ${scale}`);
      if (scale === 1) return [t(`A full${recovered ? ' after recovery' : ''}`, recovered ? (o.afterRecovery ?? 0.5) : (o.first ?? 0.5)), t('B full', 0.4)];
      const v = o.smaller?.(scale) ?? null;
      return v === null ? [] : [t(`A at ${scale}`, v)];
    },
    drop: (v) => (0.9 - v) * 100,
    choose: (list) => list.reduce((a, b) => (b.validation > a.validation ? b : a)),
    retune: async (x, round) => {
      log.push(`retune ${x.description} ${round}`);
      return { ...x, validation: o.retune?.(round) ?? x.validation };
    },
    recoverCurrent: o.canRecover === false ? undefined : async () => {
      log.push('recover current');
      recovered = true;
      return '4 more epochs of the current model';
    },
    joint: async () => {
      log.push('joint');
      return o.joint == null ? [] : [t('A half + w', o.joint)];
    },
  };
  return { h, log };
}

const options = { maxDrop: 1, recoveryRounds: 2, halvings: 3 };

describe('proposeWithRecovery', () => {
  it('with a fallback drop, takes the preferred of every proposal tried within it (a retuned one included) before stopping', async () => {
    // Nothing within 1 point; the retunes reach 1.5 and then 1.2 points down: within the fallback of 2.
    const { h, log } = hooks({ first: 0.87, retune: (round) => (round === 0 ? 0.885 : 0.888), afterRecovery: 0.87, smaller: () => 0.87, joint: 0.87 });
    const r = await proposeWithRecovery({ ...options, fallbackDrop: 2 }, h);
    expect(r.stage).toBe('beyond the reserve');
    expect(r.accepted?.validation).toBe(0.888);
    expect(log).toContain('joint');
    // Without it, the same proposals end in a stop.
    const plain = await proposeWithRecovery(options, hooks({ first: 0.87, retune: (round) => (round === 0 ? 0.885 : 0.888), afterRecovery: 0.87, smaller: () => 0.87, joint: 0.87 }).h);
    expect(plain.accepted).toBeNull();
  });

  it('keeps the preferred proposal within the drop at once, trying nothing else', async () => {
    const { h, log } = hooks({ first: 0.895 });
    const r = await proposeWithRecovery(options, h);
    expect(r).toMatchObject({ stage: 'first', scale: 1, stopText: null, tried: [] });
    expect(r.accepted!.description).toBe('A full');
    expect(log).toEqual(['propose 1']);
  });

  it('(a) more fine-tuning of the best proposal recovers it', async () => {
    const { h, log } = hooks({ retune: (round) => (round === 1 ? 0.892 : 0.85) });
    const r = await proposeWithRecovery(options, h);
    expect(r.stage).toBe('recovery');
    expect(r.accepted).toMatchObject({ description: 'A full', validation: 0.892 });
    expect(log).toEqual(['propose 1', 'retune A full 0', 'retune A full 1']);
  });

  it('(a) then the current model is fine-tuned longer and the step proposed again', async () => {
    const { h, log } = hooks({ afterRecovery: 0.899 });
    const r = await proposeWithRecovery(options, h);
    expect(r.stage).toBe('recovered current');
    expect(r.accepted!.description).toBe('A full after recovery');
    expect(log).toEqual(['propose 1', 'retune A full 0', 'retune A full 1', 'recover current', 'propose 1']);
  });

  it('(b) smaller steps, halved until one holds', async () => {
    const { h, log } = hooks({ smaller: (s) => (s <= 0.25 ? 0.895 : 0.85) });
    const r = await proposeWithRecovery(options, h);
    expect(r).toMatchObject({ stage: 'smaller step', scale: 0.25 });
    expect(log.slice(-2)).toEqual(['propose 0.5', 'propose 0.25']);
  });

  it('(b) stops halving when the step cannot get smaller; (c) a joint proposal then holds', async () => {
    const { h, log } = hooks({ smaller: (s) => (s === 0.5 ? 0.85 : null), joint: 0.9 });
    const r = await proposeWithRecovery(options, h);
    expect(r.stage).toBe('joint');
    expect(r.accepted!.description).toBe('A half + w');
    expect(log.slice(-3)).toEqual(['propose 0.5', 'propose 0.25', 'joint']);
    expect(r.tried).toEqual(['2 more fine-tuning rounds of the best proposal', '4 more epochs of the current model', 'steps down to 1/2 of the step', '1 joint proposal (structural + weight)']);
  });

  it('(d) stops, saying what was tried and the best drop reached', async () => {
    const { h } = hooks({ smaller: (s) => 0.85 + s / 100, joint: 0.86 });
    const r = await proposeWithRecovery(options, h);
    expect(r.accepted).toBeNull();
    expect(r.stage).toBeNull();
    expect(r.bestDrop).toBeCloseTo(4, 9);
    expect(r.stopText).toBe('tried 2 more fine-tuning rounds of the best proposal, 4 more epochs of the current model, steps down to 1/8 of the step, 1 joint proposal (structural + weight); the best drop reached was 4.00 points (A half + w)');
  });

  it('without a trainer (no rounds, no recovery of the current model) goes straight to smaller steps', async () => {
    const { h, log } = hooks({ canRecover: false, smaller: () => 0.895 });
    const r = await proposeWithRecovery({ ...options, recoveryRounds: 0 }, h);
    expect(r.stage).toBe('smaller step');
    expect(log).toEqual(['propose 1', 'propose 0.5']);
  });

  it('no proposal at all: nothing accepted and nothing to say (the caller names the budget)', async () => {
    const r = await proposeWithRecovery(options, { ...hooks({}).h, propose: async () => [] });
    expect(r).toMatchObject({ accepted: null, best: null, stopText: null });
  });
});

describe('recoveryHelped: whether the current model\'s longer fine-tune is kept', () => {
  it('keeps a better score; a one-sample dip only when the loss fell; never beyond --max-drop or NaN', () => {
    const o = { samples: 200, withinDrop: true }; // one sample = 0.005
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: 0.91, loss: 0.35 }, o)).toBe(true);
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: 0.895, loss: 0.25 }, o)).toBe(true);
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: 0.895, loss: 0.35 }, o)).toBe(false);
    // Two samples down: not kept, whatever the loss did.
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: 0.89, loss: 0.1 }, o)).toBe(false);
    // Without a loss on both sides, the score decides.
    expect(recoveryHelped({ validation: 0.9 }, { validation: 0.895, loss: 0.1 }, o)).toBe(false);
    expect(recoveryHelped({ validation: 0.9 }, { validation: 0.9 }, o)).toBe(true);
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: NaN, loss: 0.1 }, o)).toBe(false);
    expect(recoveryHelped({ validation: 0.9, loss: 0.3 }, { validation: 0.95, loss: 0.1 }, { ...o, withinDrop: false })).toBe(false);
  });
});
