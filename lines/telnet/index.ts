export { Telnet, TelnetOption, telnetOptionName, isNegotiationVerb } from './TelnetCodes.js';
export type { NegotiationVerb } from './TelnetCodes.js';
export { TelnetParser, DEFAULT_MAX_SUBNEGOTIATION } from './TelnetParser.js';
export type { TelnetParserSink } from './TelnetParser.js';
export { TelnetOptionTable } from './TelnetOptionTable.js';
export type { OptionPolicy } from './TelnetOptionTable.js';
export { encodeTelnetData } from './encodeTelnetData.js';
export { TelnetLine } from './TelnetLine.js';
export type { TelnetLineOptions, TelnetRole } from './TelnetLine.js';
