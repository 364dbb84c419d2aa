import type { Disposable } from '../../protocol/Disposable.js';
import type { Dispatcher } from '../dispatch/Dispatcher.js';
import type { KonomiService } from '../service/KonomiService.js';
import { toHex } from '../util/hex.js';
import type { ClusterNode } from './ClusterNode.js';

export interface ClusterEndpoints {
  http: string;
  packet: string;
}

/**
 * Wires a bridge into its cluster node: vertices a local guest announces in HELLO are
 * registered (and released when its line closes), forwarded CUBE_MSGs go to the dispatcher,
 * and the heartbeat carries this bridge's ledger head and κ.
 */
export async function joinCluster(node: ClusterNode, dispatcher: Dispatcher, service: KonomiService, endpoints: () => ClusterEndpoints): Promise<Disposable> {
  const byLine = new Map<number, Array<{ cube: number; vertex: number }>>();
  const subscription = dispatcher.onLineEvent((event) => {
    const previous = byLine.get(event.line.id) ?? [];
    if (event.type === 'hello') {
      const now = event.line.vertices.map((v) => ({ cube: v.cube, vertex: v.vertex }));
      byLine.set(event.line.id, now);
      const gone = previous.filter((p) => !now.some((v) => v.cube === p.cube && v.vertex === p.vertex));
      void node.releaseVertices(gone).then(() => node.registerVertices(now)).catch(() => undefined);
    } else if (event.type === 'close') {
      byLine.delete(event.line.id);
      void node.releaseVertices(previous).catch(() => undefined);
    }
  });
  await node.start({
    serveCubeMessage: (payload) => dispatcher.serveForwardedCubeMessage(payload),
    status: () => {
      const head = service.konomi.grid.ledgerHead();
      const kappa = service.konomi.kappaMetrics();
      return { ...endpoints(), ledgerLength: head.length, ledgerHead: toHex(head.hash), cubeKappa: finite(kappa.cubeMean), llmKappa: finite(kappa.llmMean) };
    },
  });
  return subscription;
}

function finite(n: number | null): number {
  return n !== null && Number.isFinite(n) ? n : 0;
}
