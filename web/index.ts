// Public pieces of the page, for tests and for anyone embedding XP10 elsewhere.
export { Page, type PageOptions } from './Page.js';
export { BrowserXp10, EmulatorError, type BrowserXp10Options } from './emulator/BrowserXp10.js';
export { V86SerialLine, type SerialPortIndex } from '../machine/V86SerialLine.js';
export { withPciBarHolesFilled, pciBusOf } from './emulator/restoreStateFix.js';
export { planMemory, formatBytes, MemoryPlanError, V86_MAX_BYTES, MAX_REQUEST_BYTES, type MemoryPlan } from './emulator/memoryPlan.js';
export { BrowserWebSocketLine, WebSocketLineError } from './lines/BrowserWebSocketLine.js';
export { SerialLink, type LinkState } from './lines/SerialLink.js';
export { pipeLines, type PipeStats } from './lines/pipeLines.js';
export { CoreClient, CoreEventFeed, BridgeError, type BridgeErrorCode, type CoreClientOptions, type FeedState } from './net/CoreClient.js';
export {
  parseBlock, parseBlockSample, parseCube, parseCubes, parseLedgerHead, parseLine, parseLines, parseCoreEvent,
  CoreDecodeError, MAX_LIST,
  type BlockPoint, type BlockSample, type CubeKappa, type LedgerHead, type LineStats, type CoreEvent,
} from './net/coreTypes.js';
export { parseLineTotals, MetricsDecodeError, type LineTotals } from './net/LineTotals.js';
export { TerminalPane } from './terminal/TerminalPane.js';
export { XP10_NUMBER, XP10_NAMES } from '../machine/phonebook.js';
export { DialUp, type DialUpCounters, type DialUpOptions, type ProfileName } from './terminal/DialUp.js';
export { ResultStyle, type ResultMode } from './terminal/ResultStyle.js';
export { TerminalLine } from './terminal/TerminalLine.js';
export { PointCloudView } from './view/PointCloudView.js';
export { cloudCaption, formatCount } from './view/cloudCaption.js';
export { KappaPlot } from './view/KappaPlot.js';
export { ModemLights, LIGHTS, type LightName } from './view/ModemLights.js';
export { ErrorPanel } from './view/ErrorPanel.js';
export { RateMeter } from './view/RateMeter.js';
export { boundsOf, project, rotate, type Orbit, type Bounds, type Projected } from './view/projection.js';
