import type { Verb } from './verb.js';

/**
 * tpm-doctor's verbs. Each verb lives in its own module and is imported only when run,
 * because a one-shot CLI pays at start-up for every module it loads.
 */
export const VERBS: Record<string, Verb> = {
  diagnose: {
    summary: 'Name the real cause of a TPM problem and the safest next step (changes nothing).',
    load: () => import('./commands/diagnose.js'),
  },
  status: {
    summary: 'Show everything the TPM reports about itself (the tpm.msc view, and more).',
    load: () => import('./commands/status.js'),
  },
  clear: {
    summary: 'Clear the TPM behind a preflight gate, journaled and proven (--dry-run to see the gate).',
    load: () => import('./commands/clear.js'),
  },
  resume: {
    summary: 'Continue a clear run after a reboot, a crash or a power cut; never clears twice.',
    load: () => import('./commands/resume.js'),
  },
  abandon: {
    summary: 'End an unfinished clear run cleanly (no more resumes); nothing is sent to the TPM.',
    load: () => import('./commands/abandon.js'),
  },
  runs: {
    summary: 'The history of clear runs on this machine, read back from their journals.',
    load: () => import('./commands/runs.js'),
  },
  fleet: {
    summary: 'Intune fleet through Microsoft Graph: triage, sync and remediation campaigns, status.',
    load: () => import('./commands/fleet.js'),
  },
  console: {
    summary: 'The fleet and its devices in your browser (loopback, one-time sign-in link).',
    load: () => import('./commands/console.js'),
  },
  lab: {
    summary: 'Start a LAB Intune tenant on loopback (simulated devices) to try the fleet commands.',
    load: () => import('./commands/lab.js'),
  },
  collect: {
    summary: 'Gather Windows TPM, Entra ID, BitLocker and MDM evidence (Windows; --out for a bundle).',
    load: () => import('./commands/collect.js'),
  },
};
