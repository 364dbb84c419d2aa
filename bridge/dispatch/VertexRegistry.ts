/** Which line hosts which cube vertex, as announced in HELLO. */
export interface VertexHost<P> {
  readonly peer: P;
  /** The channel of the guest agent that answers the vertex. */
  readonly channel: number;
}

export class VertexRegistry<P> {
  private readonly hosts = new Map<number, VertexHost<P>>();

  private static key(cube: number, vertex: number): number {
    return cube * 256 + vertex;
  }

  /** The latest HELLO wins: a guest that reconnects takes its vertices back. */
  register(cube: number, vertex: number, peer: P, channel: number): void {
    this.hosts.set(VertexRegistry.key(cube, vertex), { peer, channel });
  }

  lookup(cube: number, vertex: number): VertexHost<P> | undefined {
    return this.hosts.get(VertexRegistry.key(cube, vertex));
  }

  /** Removes every vertex of `peer`; returns how many fell back to the core. */
  releasePeer(peer: P): number {
    let count = 0;
    for (const [key, host] of this.hosts) {
      if (host.peer === peer) {
        this.hosts.delete(key);
        count++;
      }
    }
    return count;
  }

  verticesOf(peer: P): Array<{ cube: number; vertex: number; channel: number }> {
    const out: Array<{ cube: number; vertex: number; channel: number }> = [];
    for (const [key, host] of this.hosts) {
      if (host.peer === peer) out.push({ cube: Math.floor(key / 256), vertex: key % 256, channel: host.channel });
    }
    return out;
  }
}
