import { badShape } from '../EvgpuError.js';
import { Tensor } from '../Tensor.js';
import { type Activation, activate, geluGradScalar, softmax, softmaxRow } from '../kernels/activations.js';
import { conv2d, conv2dBackward } from '../kernels/conv2d.js';
import { type BinaryOp, binary, scale, sumToShape } from '../kernels/elementwise.js';
import { matmul, planMatmul } from '../kernels/matmul.js';
import { type PoolKind, pool2d, pool2dBackward } from '../kernels/pool2d.js';
import { Var } from './Var.js';

/**
 * Reverse-mode autodiff: every op computes its value now and records how to push a gradient
 * back to its inputs. `backward(loss)` replays those records in reverse. A tape is used for
 * one forward/backward pass and then dropped.
 */
export class Tape {
  private readonly records: Array<() => void> = [];

  constant(t: Tensor): Var {
    return new Var(t, false);
  }

  backward(loss: Var): void {
    if (loss.value.size !== 1) throw badShape('backward needs a scalar loss');
    loss.grad = new Float32Array([1]);
    for (let i = this.records.length - 1; i >= 0; i--) this.records[i]?.();
    this.records.length = 0;
  }

  private node(value: Tensor, inputs: readonly Var[], back: (g: Tensor) => void): Var {
    const out = new Var(value, inputs.some((v) => v.requiresGrad));
    if (out.requiresGrad) {
      this.records.push(() => {
        if (out.grad) back(new Tensor(out.grad, value.shape));
      });
    }
    return out;
  }

  matmul(a: Var, b: Var): Var {
    const plan = planMatmul(a.shape, b.shape);
    return this.node(matmul(a.value, b.value), [a, b], (g) => {
      if (a.requiresGrad) a.accumulate(matmul(g, b.value.transpose()).data);
      if (!b.requiresGrad) return;
      if (plan.sharedB) {
        const rows = a.value.size / plan.k;
        const a2 = a.value.reshape([rows, plan.k]);
        b.accumulate(matmul(a2.transpose(), g.reshape([rows, plan.n])).data);
      } else {
        b.accumulate(matmul(a.value.transpose(), g).data);
      }
    });
  }

  add(a: Var, b: Var): Var {
    return this.binaryOp('add', a, b);
  }

  sub(a: Var, b: Var): Var {
    return this.binaryOp('sub', a, b);
  }

  mul(a: Var, b: Var): Var {
    return this.binaryOp('mul', a, b);
  }

  div(a: Var, b: Var): Var {
    return this.binaryOp('div', a, b);
  }

  private binaryOp(op: BinaryOp, a: Var, b: Var): Var {
    return this.node(binary(op, a.value, b.value), [a, b], (g) => {
      if (a.requiresGrad) {
        const ga = op === 'add' || op === 'sub' ? g : binary(op === 'mul' ? 'mul' : 'div', g, b.value);
        a.accumulate(sumToShape(ga, a.shape).data);
      }
      if (b.requiresGrad) {
        let gb: Tensor;
        if (op === 'add') gb = g;
        else if (op === 'sub') gb = scale(g, -1);
        else if (op === 'mul') gb = binary('mul', g, a.value);
        else gb = scale(binary('div', binary('mul', g, a.value), binary('mul', b.value, b.value)), -1);
        b.accumulate(sumToShape(gb, b.shape).data);
      }
    });
  }

  scale(a: Var, s: number): Var {
    return this.node(scale(a.value, s), [a], (g) => a.accumulate(scale(g, s).data));
  }

  activation(kind: Activation, a: Var): Var {
    const y = activate(kind, a.value);
    return this.node(y, [a], (g) => {
      const gd = g.data;
      const yd = y.data;
      const out = new Float32Array(gd.length);
      switch (kind) {
        case 'relu':
          for (let i = 0; i < out.length; i++) out[i] = (yd[i] as number) > 0 ? (gd[i] as number) : 0;
          break;
        case 'sigmoid':
          for (let i = 0; i < out.length; i++) out[i] = (gd[i] as number) * (yd[i] as number) * (1 - (yd[i] as number));
          break;
        case 'tanh':
          for (let i = 0; i < out.length; i++) out[i] = (gd[i] as number) * (1 - (yd[i] as number) ** 2);
          break;
        case 'gelu': {
          const xd = a.value.dense();
          for (let i = 0; i < out.length; i++) out[i] = (gd[i] as number) * geluGradScalar(xd[i] as number);
          break;
        }
      }
      a.accumulate(out);
    });
  }

  relu(a: Var): Var {
    return this.activation('relu', a);
  }

  sigmoid(a: Var): Var {
    return this.activation('sigmoid', a);
  }

  tanh(a: Var): Var {
    return this.activation('tanh', a);
  }

  gelu(a: Var): Var {
    return this.activation('gelu', a);
  }

  /** Softmax over the last axis. */
  softmax(a: Var): Var {
    const y = softmax(a.value);
    const n = y.shape[y.rank - 1] as number;
    return this.node(y, [a], (g) => {
      const out = new Float32Array(y.size);
      for (let r = 0; r < y.size; r += n) {
        let dot = 0;
        for (let j = 0; j < n; j++) dot += (g.data[r + j] as number) * (y.data[r + j] as number);
        for (let j = 0; j < n; j++) out[r + j] = (y.data[r + j] as number) * ((g.data[r + j] as number) - dot);
      }
      a.accumulate(out);
    });
  }

  /** Mean negative log-likelihood of `targets` under softmax(logits) (logits [..., V]). */
  crossEntropy(logits: Var, targets: Int32Array): Var {
    const v = logits.shape[logits.shape.length - 1] as number;
    const rows = logits.value.size / v;
    if (targets.length !== rows) throw badShape(`crossEntropy: ${targets.length} targets for ${rows} rows`);
    const x = logits.value.dense();
    const p = new Float32Array(x.length);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      softmaxRow(x, p, r * v, v);
      const t = targets[r] as number;
      if (t < 0 || t >= v) throw badShape(`crossEntropy: target ${t} outside vocabulary ${v}`);
      loss -= Math.log(Math.max(p[r * v + t] as number, 1e-30));
    }
    return this.node(Tensor.from([loss / rows], []), [logits], (g) => {
      const s = (g.data[0] as number) / rows;
      const out = new Float32Array(p.length);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < v; j++) out[r * v + j] = (p[r * v + j] as number) * s;
        const t = r * v + (targets[r] as number);
        out[t] = (out[t] as number) - s;
      }
      logits.accumulate(out);
    });
  }

  /** Layer normalisation over the last axis with gain and bias of that axis' length. */
  layerNorm(x: Var, gain: Var, bias: Var, eps = 1e-5): Var {
    const d = x.shape[x.shape.length - 1] as number;
    const xd = x.value.dense();
    const gd = gain.value.dense();
    const bd = bias.value.dense();
    const rows = xd.length / d;
    const xhat = new Float32Array(xd.length);
    const inv = new Float32Array(rows);
    const y = Tensor.zeros(x.shape);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      let mean = 0;
      for (let j = 0; j < d; j++) mean += xd[o + j] as number;
      mean /= d;
      let vr = 0;
      for (let j = 0; j < d; j++) vr += ((xd[o + j] as number) - mean) ** 2;
      const is = 1 / Math.sqrt(vr / d + eps);
      inv[r] = is;
      for (let j = 0; j < d; j++) {
        const h = ((xd[o + j] as number) - mean) * is;
        xhat[o + j] = h;
        y.data[o + j] = h * (gd[j] as number) + (bd[j] as number);
      }
    }
    return this.node(y, [x, gain, bias], (g) => {
      const gx = new Float32Array(xd.length);
      const gg = new Float32Array(d);
      const gb = new Float32Array(d);
      for (let r = 0; r < rows; r++) {
        const o = r * d;
        let sumDh = 0;
        let sumDhX = 0;
        for (let j = 0; j < d; j++) {
          const gy = g.data[o + j] as number;
          const dh = gy * (gd[j] as number);
          gg[j] = (gg[j] as number) + gy * (xhat[o + j] as number);
          gb[j] = (gb[j] as number) + gy;
          sumDh += dh;
          sumDhX += dh * (xhat[o + j] as number);
        }
        const is = inv[r] as number;
        for (let j = 0; j < d; j++) {
          const dh = (g.data[o + j] as number) * (gd[j] as number);
          gx[o + j] = (is / d) * (d * dh - sumDh - (xhat[o + j] as number) * sumDhX);
        }
      }
      x.accumulate(gx);
      gain.accumulate(gg);
      bias.accumulate(gb);
    });
  }

  /** Rows of `table` [V, D] picked by `ids`; the result has shape [...idsShape, D]. */
  embedding(table: Var, ids: Int32Array, idsShape: readonly number[] = [ids.length]): Var {
    const [v, d] = table.shape as [number, number];
    const td = table.value.dense();
    const out = Tensor.zeros([...idsShape, d]);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id < 0 || id >= v) throw badShape(`embedding id ${id} outside table of ${v}`);
      out.data.set(td.subarray(id * d, id * d + d), i * d);
    }
    return this.node(out, [table], (g) => {
      const gt = new Float32Array(v * d);
      for (let i = 0; i < ids.length; i++) {
        const o = (ids[i] as number) * d;
        for (let j = 0; j < d; j++) gt[o + j] = (gt[o + j] as number) + (g.data[i * d + j] as number);
      }
      table.accumulate(gt);
    });
  }

  /** Swaps two axes (materialised, so later kernels read packed rows). */
  transpose(a: Var, d0 = a.shape.length - 2, d1 = a.shape.length - 1): Var {
    return this.node(a.value.transpose(d0, d1).contiguous(), [a], (g) => a.accumulate(g.transpose(d0, d1).dense()));
  }

  reshape(a: Var, shape: readonly number[]): Var {
    return this.node(a.value.reshape(shape), [a], (g) => a.accumulate(g.data));
  }

  sum(a: Var): Var {
    const d = a.value.dense();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i] as number;
    return this.node(Tensor.from([s], []), [a], (g) => a.accumulate(new Float32Array(d.length).fill(g.data[0] as number)));
  }

  mean(a: Var): Var {
    return this.scale(this.sum(a), 1 / Math.max(1, a.value.size));
  }

  conv2d(x: Var, weight: Var, stride = 1, padding = 0): Var {
    return this.node(conv2d(x.value, weight.value, stride, padding), [x, weight], (g) => {
      const { gx, gw } = conv2dBackward(x.value, weight.value, g, stride, padding);
      x.accumulate(gx.data);
      weight.accumulate(gw.data);
    });
  }

  pool2d(kind: PoolKind, x: Var, kernel: number, stride = kernel): Var {
    const r = pool2d(kind, x.value, kernel, stride);
    return this.node(r.out, [x], (g) => x.accumulate(pool2dBackward(kind, x.value, r, g, kernel, stride).data));
  }

  maxpool2d(x: Var, kernel: number, stride = kernel): Var {
    return this.pool2d('max', x, kernel, stride);
  }

  avgpool2d(x: Var, kernel: number, stride = kernel): Var {
    return this.pool2d('avg', x, kernel, stride);
  }
}
