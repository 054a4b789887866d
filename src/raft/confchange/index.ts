export { Changer, checkInvariants } from './confchange';
export type { ChangeResult } from './confchange';
export { restore } from './restore';
export {
  asV2,
  decodeConfChange,
  encodeConfChange,
  enterJoint,
  isConfChangeV2,
  leaveJoint,
  validateConfChange,
} from './codec';
