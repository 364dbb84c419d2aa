export { Xp10Machine, defaultImagePath, type Xp10MachineOptions, type WaitForOutputOptions, type OutputMatch } from './Xp10Machine.js';
export { V86SerialLine, type SerialPortIndex } from '../../machine/V86SerialLine.js';
export {
  planMemorySize,
  MIB,
  XP10_MAX_MEMORY_BYTES,
  XP10_MIN_MEMORY_BYTES,
  XP10_DEFAULT_MEMORY_BYTES,
  V86_MAX_MEMORY_BYTES,
  type MemorySize,
} from './memorySize.js';
export { Xp10MachineError, type Xp10MachineErrorCode } from './Xp10MachineError.js';
export { textToScancodes } from '../../machine/scancodes.js';
