/**
 * Cube vertices hosted behind other bridges of a cluster (bridge/cluster). The dispatcher asks
 * it only for vertices no local line hosts.
 */
export interface RemoteVertices {
  /**
   * The CUBE_MSG reply payload from the bridge whose guest hosts (cube, vertex), or undefined
   * when no other bridge hosts it (the local core answers). Throws ProtocolError UNAVAILABLE
   * when the hosting bridge does not answer in time.
   */
  forward(cube: number, vertex: number, payload: Uint8Array): Promise<Uint8Array | undefined>;
}
