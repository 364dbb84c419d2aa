/** Which line hosts which cube vertex, as announced in HELLO. */
export interface VertexHost<P> {
  readonly peer: P;
  /** The channel of the guest agent that answers the vertex. */
  readonly channel: number;
}

export interface ReleaseResult {
  /** Vertices no other connected line hosts any more: the core answers them now. */
  readonly toCore: number;
  /** Vertices the previous host still connected took back. */
  readonly handedOver: number;
}

/**
 * Every line that announced a vertex, newest last. The newest connected host answers; when it
 * leaves, the one before it takes over, and the core only once none is left. So a second guest
 * announcing a vertex does not silently steal it and then drop it to the core when it goes.
 */
export class VertexRegistry<P> {
  private readonly hosts = new Map<number, Array<VertexHost<P>>>();

  private static key(cube: number, vertex: number): number {
    return cube * 256 + vertex;
  }

  /** The latest HELLO wins: a guest that announces (again) becomes the vertex's host. */
  register(cube: number, vertex: number, peer: P, channel: number): void {
    const key = VertexRegistry.key(cube, vertex);
    const list = (this.hosts.get(key) ?? []).filter((h) => h.peer !== peer);
    list.push({ peer, channel });
    this.hosts.set(key, list);
  }

  lookup(cube: number, vertex: number): VertexHost<P> | undefined {
    return this.hosts.get(VertexRegistry.key(cube, vertex))?.at(-1);
  }

  /** Forgets `peer` everywhere; its vertices go to their previous host, or to the core. */
  releasePeer(peer: P): ReleaseResult {
    let toCore = 0;
    let handedOver = 0;
    for (const [key, list] of this.hosts) {
      const index = list.findIndex((h) => h.peer === peer);
      if (index < 0) continue;
      const wasActive = index === list.length - 1;
      list.splice(index, 1);
      if (list.length === 0) {
        this.hosts.delete(key);
        toCore++;
      } else if (wasActive) {
        handedOver++;
      }
    }
    return { toCore, handedOver };
  }

  /** The vertices `peer` answers now (it is their newest host). */
  verticesOf(peer: P): Array<{ cube: number; vertex: number; channel: number }> {
    const out: Array<{ cube: number; vertex: number; channel: number }> = [];
    for (const [key, list] of this.hosts) {
      const host = list.at(-1);
      if (host?.peer === peer) out.push({ cube: Math.floor(key / 256), vertex: key % 256, channel: host.channel });
    }
    return out;
  }
}
