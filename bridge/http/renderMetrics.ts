import type { SessionStats } from '../../protocol/Session.js';
import type { LineSnapshot } from '../dispatch/Dispatcher.js';
import type { KonomiService } from '../service/KonomiService.js';
import { PrometheusText } from './PrometheusText.js';

const STAT_HELP: Array<[keyof SessionStats, string, string]> = [
  ['framesIn', 'konomi_frames_received_total', 'Frames received on all lines'],
  ['framesOut', 'konomi_frames_sent_total', 'Frames sent on all lines'],
  ['bytesIn', 'konomi_line_bytes_received_total', 'Bytes received on all lines'],
  ['bytesOut', 'konomi_line_bytes_sent_total', 'Bytes sent on all lines'],
  ['crcErrors', 'konomi_crc_errors_total', 'Frames dropped for a bad CRC'],
  ['retransmits', 'konomi_retransmits_total', 'Requests retransmitted'],
  ['timeouts', 'konomi_timeouts_total', 'Requests that timed out after retries'],
  ['naksSent', 'konomi_naks_sent_total', 'NAKs sent'],
  ['duplicates', 'konomi_duplicates_total', 'Retransmitted requests answered from the duplicate cache'],
  ['busySent', 'konomi_busy_replies_total', 'Requests answered BUSY by a per-line limit (request rate, requests outstanding, reassembly memory)'],
  ['noReplyFailed', 'konomi_noreply_dropped_total', 'NOREPLY requests dropped or failed (the peer is never told)'],
];

export interface MetricsSources {
  service: KonomiService;
  lines: LineSnapshot[];
  totals: SessionStats;
  linesOpened: number;
  wsClients: number;
  uptimeSeconds: number;
}

/** /metrics: the bridge's lines, frames, errors and the core's κ in Prometheus text format. */
export function renderMetrics(m: MetricsSources): string {
  const text = new PrometheusText();
  text.sample('konomi_uptime_seconds', 'gauge', 'Seconds since the bridge started', m.uptimeSeconds);
  text.sample('konomi_lines_open', 'gauge', 'Lines currently attached', m.lines.length);
  text.sample('konomi_lines_opened_total', 'counter', 'Lines attached since start', m.linesOpened);
  text.sample('konomi_ws_clients', 'gauge', 'JSON API WebSocket clients', m.wsClients);
  for (const [key, name, help] of STAT_HELP) text.sample(name, 'counter', help, Number(m.totals[key] ?? 0));
  for (const line of m.lines) {
    const labels = { line: line.name, kind: line.kind };
    text.sample('konomi_line_frames_received', 'gauge', 'Frames received on this line', Number(line.stats.framesIn ?? 0), labels);
    text.sample('konomi_line_frames_sent', 'gauge', 'Frames sent on this line', Number(line.stats.framesOut ?? 0), labels);
    text.sample('konomi_line_crc_errors', 'gauge', 'Bad-CRC frames on this line', Number(line.stats.crcErrors ?? 0), labels);
    text.sample('konomi_line_retransmits', 'gauge', 'Retransmits on this line', Number(line.stats.retransmits ?? 0), labels);
  }
  const kappa = m.service.konomi.kappaMetrics();
  text.sample('konomi_cubes', 'gauge', 'Cubes in the core', kappa.cubes.length);
  text.sample('konomi_llm_nodes', 'gauge', 'LLM nodes created', kappa.llmCount);
  if (kappa.cubeMean !== null) text.sample('konomi_cube_kappa_mean', 'gauge', 'Mean κ of the cubes', kappa.cubeMean);
  if (kappa.llmMean !== null) text.sample('konomi_llm_kappa_mean', 'gauge', 'Mean κ of the LLM nodes', kappa.llmMean);
  for (const cube of kappa.cubes) text.sample('konomi_cube_kappa', 'gauge', 'κ of each cube', cube.kappa, { cube: String(cube.id) });
  text.sample('konomi_ledger_entries', 'gauge', 'Ledger length', m.service.konomi.grid.ledgerHead().length);
  text.sample('konomi_active_cells', 'gauge', 'Active cells in array 0', m.service.konomi.grid.arrayInfo(0).size);
  return text.toString();
}
