import { SEND_FORMS } from './requests.js';

export const USAGE = `Usage: konomi <command> [options]

  start    Run the bridge: packet port, HTTP (REST, /ws, /line/serial0, /modem, /capture), the web page
           [--host 127.0.0.1] [--allow-host NAME,…] [--port 3000] [--packet-port 5600] [--data ./data | --ephemeral] [--guest | --guests N (1-9)] [--memory MB]
           [--token T] [--profile v90|v34|unlimited] [--serial /dev/ttyX[@baud]] [--web DIR] [--kappa-tick MS (κ field, 0: off)]
           [--db postgres://… (PgStore)] [--redis redis://… (cluster)] [--id BRIDGE_ID] [--role all|api|ws|web]
           [--telnet PORT (telnet dial-in, e.g. 2323)] [--modem-serial /dev/ttyX[@baud]] [--phonebook FILE] [--dial-allow HOST:PORT,…]
           [--no-examples (do not seed LIFE, SCRIBE, GOSSIP into an empty program store)]
           [--api URL --ws URL (web role)]   env: DB_URL REDIS_URL PORT PACKET_PORT HOST DATA_DIR TOKEN BRIDGE_ID ROLE KONOMI_KAPPA_TICK_MS
           per line: [--window 64] [--line-outstanding 64] [--line-queue 16384] [--line-rate 0 (off) --line-burst 1000]
           [--session-expiry 120 (s)] [--parked-sessions 64]   env: KONOMI_WINDOW KONOMI_LINE_RATE … (docs/BRIDGE.md)
  boot     Boot XP10 headless, its console (COM2) on this terminal   [--memory MB]
  send     One request; prints the decoded reply (exit 1 on an ERROR reply or a timeout)
           OPCODE ARGS... [--to tcp://127.0.0.1:5600 | ws://HOST:PORT/line/serial0 | /dev/ttyX[@baud]]
           [--hex] [--json] [--timeout MS] [--token T] [--channel N] [--params P,Q]
${SEND_FORMS.map((f) => `             ${f}`).join('\n')}
           env: KONOMI_TO (whole target), or HOST PACKET_PORT TOKEN as for start
  dial     Dial in through the bridge's modem from this terminal   [NUMBER] [--to ws://127.0.0.1:3000/modem]
           piped input waits for CONNECT; exit 1 when the call fails (NO CARRIER, BUSY, NO ANSWER)
  capture  Record every frame of every line to a pcapng file       FILE [--from ws://127.0.0.1:3000/capture] [--count N]
  replay   Send the requests of a capture again and print the replies   FILE [--to tcp://127.0.0.1:5600]
  program  The bridge's program store (what XP10 BASIC SAVEs and LOADs), over REST
           put FILE [--name NAME] | get NAME | list | rm NAME   [--api http://127.0.0.1:3000] [--token T]
           NAME: 1..32 of A-Z 0-9 _ - (case-insensitive); put names FILE's stem (life.bas → LIFE) unless --name
  help     This text
`;
