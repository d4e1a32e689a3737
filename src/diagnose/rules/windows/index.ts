import type { Rule } from '../../rule.js';

/** Rules whose findings are entra.*, hello.*, bitlocker.*, mdm.*, autopilot.*, secureboot.* (one per file). */
export const WINDOWS_RULES: readonly Rule[] = [];
