import { describe, expect, it } from 'vitest';
import { MetricsDecodeError, parseLineTotals } from './LineTotals.js';

// As bridge/http/renderMetrics.ts writes it: totals first, then per-line gauges (which must not be summed in).
const METRICS = `# HELP konomi_uptime_seconds Seconds since the bridge started
# TYPE konomi_uptime_seconds gauge
konomi_uptime_seconds 12
# HELP konomi_frames_received_total Frames received on all lines
# TYPE konomi_frames_received_total counter
konomi_frames_received_total 40
# HELP konomi_frames_sent_total Frames sent on all lines
# TYPE konomi_frames_sent_total counter
konomi_frames_sent_total 41
konomi_crc_errors_total 2
konomi_retransmits_total 3
konomi_line_frames_received{line="ws:serial0",kind="ws"} 7
konomi_line_crc_errors{line="ws:serial0",kind="ws"} 1
`;

describe('lifetime line totals from GET /metrics', () => {
  it('reads the bridge\'s totals, not the per-line gauges', () => {
    expect(parseLineTotals(METRICS)).toEqual({ framesIn: 40, framesOut: 41, crcErrors: 2, retransmits: 3 });
  });

  it('names what is missing, and ignores junk and negative values', () => {
    const partial = 'konomi_frames_received_total 1\nkonomi_frames_sent_total -4\nconstructor 1\nnonsense\n';
    expect(() => parseLineTotals(partial)).toThrow(MetricsDecodeError);
    expect(() => parseLineTotals(partial)).toThrow(/konomi_frames_sent_total, konomi_crc_errors_total, konomi_retransmits_total/);
    expect(() => parseLineTotals('')).toThrow(/lacks/);
  });
});
