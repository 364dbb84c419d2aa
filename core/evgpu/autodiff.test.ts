import { describe, expect, it } from 'vitest';
import { Adam, Random, Tape, Tensor, Var } from './index.js';
import { asTransposedView, randomTensor } from '../testing/evgpuReference.js';

const rng = new Random(7);

/**
 * Checks tape gradients against central finite differences of L = Σ wᵢ·f(x)ᵢ for random fixed
 * weights w (a plain sum would hide errors that cancel, e.g. in softmax).
 */
function checkGradients(inputs: Tensor[], f: (tape: Tape, vars: Var[]) => Var, eps = 1e-2, tol = 2e-2): void {
  const vars = inputs.map((t) => Var.param(t));
  const weightsFor = new Map<number, Tensor>();
  const loss = (tape: Tape, vs: Var[]): Var => {
    const y = f(tape, vs);
    let w = weightsFor.get(y.value.size);
    if (!w) {
      w = randomTensor(rng, y.shape);
      weightsFor.set(y.value.size, w);
    }
    return tape.sum(tape.mul(y, tape.constant(new Tensor(w.data, y.shape))));
  };
  const tape = new Tape();
  tape.backward(loss(tape, vars));
  const value = () => loss(new Tape(), vars.map((v) => new Var(v.value, false))).value.data[0] as number;
  for (const v of vars) {
    const grad = v.grad ?? new Float32Array(v.value.size);
    for (let i = 0; i < v.value.size; i++) {
      const orig = v.value.data[i] as number;
      v.value.data[i] = orig + eps;
      const up = value();
      v.value.data[i] = orig - eps;
      const down = value();
      v.value.data[i] = orig;
      const fd = (up - down) / (2 * eps);
      expect(Math.abs((grad[i] as number) - fd), `element ${i}: tape ${grad[i]} vs fd ${fd}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(fd)));
    }
  }
}

const r = (...shape: number[]) => randomTensor(rng, shape);

describe('reverse-mode autodiff against finite differences', () => {
  it('matmul (2-D, batched, shared B)', () => {
    checkGradients([r(3, 5), r(5, 4)], (t, [a, b]) => t.matmul(a!, b!));
    checkGradients([r(2, 3, 4), r(2, 4, 3)], (t, [a, b]) => t.matmul(a!, b!));
    checkGradients([r(2, 3, 4), r(4, 5)], (t, [a, b]) => t.matmul(a!, b!));
  });

  it('matmul on a non-contiguous input view', () => {
    checkGradients([asTransposedView(r(4, 3)).contiguous(), r(2, 4)], (t, [a, b]) => t.matmul(t.transpose(a!), t.transpose(b!, 0, 1)));
  });

  it('broadcasting add, sub, mul, div', () => {
    checkGradients([r(2, 3, 4), r(4)], (t, [a, b]) => t.add(a!, b!));
    checkGradients([r(3, 1), r(1, 4)], (t, [a, b]) => t.sub(a!, b!));
    checkGradients([r(2, 3), r(3)], (t, [a, b]) => t.mul(a!, b!));
    const denom = Tensor.from(r(3).toArray().map((x) => 1.5 + x));
    checkGradients([r(2, 3), denom], (t, [a, b]) => t.div(a!, b!));
  });

  it.each(['relu', 'sigmoid', 'tanh', 'gelu'] as const)('%s', (kind) => {
    // Keep ReLU inputs away from its kink, where the derivative jumps.
    const x = r(3, 5);
    if (kind === 'relu') for (let i = 0; i < x.size; i++) if (Math.abs(x.data[i] as number) < 0.05) x.data[i] = 0.3;
    checkGradients([x], (t, [a]) => t.activation(kind, a!));
  });

  it('softmax over the last axis', () => {
    checkGradients([r(3, 6)], (t, [a]) => t.softmax(a!));
  });

  it('cross-entropy', () => {
    checkGradients([r(4, 7)], (t, [a]) => t.crossEntropy(a!, Int32Array.of(0, 6, 3, 3)));
  });

  it('layer norm (input, gain, bias)', () => {
    checkGradients([r(3, 8), r(8), r(8)], (t, [x, g, b]) => t.layerNorm(x!, g!, b!), 1e-2, 3e-2);
  });

  it('embedding with repeated ids', () => {
    checkGradients([r(5, 3)], (t, [tab]) => t.embedding(tab!, Int32Array.of(1, 4, 1, 0), [2, 2]));
  });

  it('transpose, reshape, scale, mean', () => {
    checkGradients([r(2, 3, 4)], (t, [a]) => t.scale(t.reshape(t.transpose(a!, 0, 2), [4, 6]), 3));
    checkGradients([r(3, 3)], (t, [a]) => t.mean(t.mul(a!, a!)));
  });

  it('conv2d (input and weight, stride and padding)', () => {
    checkGradients([r(2, 2, 5, 5), r(3, 2, 3, 3)], (t, [x, w]) => t.conv2d(x!, w!, 2, 1));
    checkGradients([r(1, 4, 4), r(2, 1, 2, 2)], (t, [x, w]) => t.conv2d(x!, w!, 1, 0));
  });

  it('max and average pooling', () => {
    // Distinct values 0.1 apart, so no finite-difference step changes which element wins.
    const values = Array.from({ length: 48 }, (_, i) => i * 0.1);
    for (let i = values.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [values[i], values[j]] = [values[j]!, values[i]!];
    }
    checkGradients([Tensor.from(values, [1, 2, 4, 6])], (t, [x]) => t.maxpool2d(x!, 2));
    checkGradients([r(2, 1, 5, 5)], (t, [x]) => t.avgpool2d(x!, 3, 2));
  });

  it('a small composed network', () => {
    checkGradients([r(2, 1, 6, 6), r(2, 1, 3, 3), r(8, 3)], (t, [x, w, fc]) => {
      const h = t.maxpool2d(t.relu(t.conv2d(x!, w!, 1, 0)), 2);
      return t.softmax(t.matmul(t.reshape(h, [2, 8]), fc!));
    });
  });
});

describe('training with the tape', () => {
  it('Adam fits a linear map (loss goes down by 100x)', () => {
    const x = r(32, 4);
    const wTrue = r(4, 2);
    const yData = new Tape().matmul(new Var(x), new Var(wTrue)).value;
    const w = Var.param(Tensor.zeros([4, 2]));
    const adam = new Adam([w], { lr: 0.05 });
    const lossAt = () => {
      const t = new Tape();
      const diff = t.sub(t.matmul(t.constant(x), w), t.constant(yData));
      const l = t.mean(t.mul(diff, diff));
      t.backward(l);
      return l.value.data[0] as number;
    };
    const first = lossAt();
    w.zeroGrad();
    let last = first;
    for (let i = 0; i < 300; i++) {
      last = lossAt();
      adam.step();
    }
    expect(last).toBeLessThan(first / 100);
  });

  it('backward needs a scalar', () => {
    const t = new Tape();
    expect(() => t.backward(t.relu(Var.param(r(2, 2))))).toThrow(/scalar/);
  });
});
