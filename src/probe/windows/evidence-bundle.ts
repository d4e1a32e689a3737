import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { redact } from '../../snapshot/redact-secrets.js';
import type { BitLockerVolume, WindowsEvent, WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { mergeBitLocker, parseBitLockerVolumes, parseManageBde } from './bitlocker.js';
import { isCompactEvidence, parseCompactEvidence } from './compact.js';
import { parseDsregcmd } from './dsregcmd.js';
import { parseEkInfo } from './ek-info.js';
import { EVENT_LOGS, parseEvents } from './events.js';
import { describeText, EvidenceError } from './evidence-error.js';
import { parseGetTpm } from './get-tpm.js';
import { parseIsReadyInformation } from './is-ready-information.js';
import { field, hasAnyField, isRecord, parseJsonText, toBool, toIsoTime, toStr } from './json-values.js';
import { parseEnrollments, parseMdmSync } from './mdm-enrollments.js';
import { EVIDENCE_SOURCES, type EvidenceSource } from './sources.js';
import { decodeEvidenceText, MAX_EVIDENCE_BYTES } from './text-input.js';
import { parseTpmtool } from './tpmtool.js';
import { parseWin32Tpm } from './win32-tpm.js';

/**
 * Reading saved Windows evidence: a bundle directory (one file per source, as
 * `collect-evidence.ps1 -Full` or `tpm-doctor collect --out` writes it, or as a helpdesk
 * assembles it by hand), or one file (the compact detection-script JSON, or a single source file
 * named as in a bundle). See docs/evidence.md.
 */

/** One source's raw content: text as read, or a JSON value (already parsed, from the live collector). */
export type RawSource = { kind: 'text'; text: string } | { kind: 'json'; value: unknown };

type Problem = WindowsEvidence['problems'][number];

const BY_FILE = new Map(EVIDENCE_SOURCES.map((s) => [s.file, s]));
const BY_NAME = new Map(EVIDENCE_SOURCES.map((s) => [s.name, s]));

/** What each JSON file should hold, for "expected ..." messages. */
const EXPECTED_JSON: Record<string, string> = {
  meta: 'meta.json from the collector (an object with CollectedAt, ComputerName, Elevated)',
  'get-tpm': 'Get-Tpm | ConvertTo-Json output',
  'win32-tpm': 'Get-CimInstance Win32_Tpm | ConvertTo-Json output',
  'is-ready': 'Win32_Tpm IsReadyInformation as JSON ({"IsReady": ..., "Information": ...})',
  'ek-info': 'Get-TpmEndorsementKeyInfo | ConvertTo-Json output',
  bitlocker: 'Get-BitLockerVolume | ConvertTo-Json output',
  enrollments: 'the Enrollments registry subkeys as JSON',
  'mdm-sync': 'the OMADM ConnInfo registry values as JSON',
  events: 'Get-WinEvent | Select-Object ... | ConvertTo-Json output',
};

/**
 * Reads a bundle directory or a single evidence file. A path that does not exist, an empty
 * directory, or a single file that is not evidence throws an EvidenceError naming the path; in a
 * directory, a bad file becomes an entry in `problems` and the other files are still read.
 */
export async function readEvidenceBundle(path: string): Promise<WindowsEvidence> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    // lstat: a link is reported as what it is, never followed (docs/security.md).
    info = await lstat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : 'cannot be read';
    throw new EvidenceError(`${why}; expected an evidence bundle directory or a compact evidence file`, path);
  }
  if (info.isDirectory()) return readDirectory(path);
  if (!info.isFile()) {
    throw new EvidenceError(
      `is ${kindOf(info)}; expected an evidence bundle directory or a compact evidence file`,
      path,
    );
  }
  return readSingleFile(path);
}

async function readDirectory(dir: string): Promise<WindowsEvidence> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new EvidenceError('the directory cannot be listed (permission denied?)', dir);
  }
  const known = names.filter((n) => BY_FILE.has(n.toLowerCase()));
  if (known.length === 0) {
    const found =
      names.length === 0
        ? 'an empty directory'
        : `${names.length} ${names.length === 1 ? 'file' : 'files'}, none of them evidence`;
    throw new EvidenceError(
      `expected an evidence bundle (${EVIDENCE_SOURCES.map((s) => s.file).join(', ')}), found ${found}`,
      dir,
    );
  }
  const problems: Problem[] = [];
  const raw = new Map<string, RawSource>();
  await Promise.all(
    known.map(async (name) => {
      const src = BY_FILE.get(name.toLowerCase())!;
      try {
        const text = await readEvidenceFile(join(dir, name), maxBytesFor(name));
        raw.set(src.name, { kind: 'text', text });
      } catch (e) {
        problems.push(problemFrom(src, e, name));
      }
    }),
  );
  return evidenceFromSources(raw, dir, problems);
}

async function readSingleFile(path: string): Promise<WindowsEvidence> {
  let text: string;
  try {
    text = await readEvidenceFile(path, maxBytesFor(basename(path)));
  } catch (e) {
    throw e instanceof EvidenceError ? e.inFile(path) : e;
  }
  const src = BY_FILE.get(basename(path).toLowerCase());
  if (src !== undefined) {
    // One source file on its own (e.g. a user sent only dsregcmd.txt): read it as that source.
    const problems: Problem[] = [];
    const evidence = evidenceFromSources(new Map([[src.name, { kind: 'text', text }]]), path, problems);
    const first = problems[0];
    if (first !== undefined) throw new EvidenceError(first.message.slice(src.file.length + 2), path);
    return evidence;
  }
  const compact = findCompactJson(text);
  if (compact === null) {
    throw new EvidenceError(
      'expected compact evidence from scripts/collect-evidence.ps1 (one line of JSON starting {"tpmdoctor":"evidence/compact/v1"), ' +
        `or a bundle directory; found ${describeText(text)}`,
      path,
    );
  }
  return parseCompactEvidence(compact, path);
}

/**
 * The compact JSON in a file: the whole text, or the last line that is one (the detection
 * output copied with other lines, or from an Intune CSV export where quotes are doubled).
 */
function findCompactJson(text: string): unknown {
  const candidates = [text.trim(), ...text.split(/\r\n|\r|\n/).reverse()];
  for (const candidate of candidates) {
    let line = candidate.trim();
    const csv = line.indexOf('{""tpmdoctor""');
    if (csv !== -1) line = line.slice(csv, line.lastIndexOf('}') + 1).replace(/""/g, '"');
    const start = line.indexOf('{"tpmdoctor"');
    if (start === -1 && !line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(start > 0 ? line.slice(start) : line);
      if (isCompactEvidence(value)) return value;
    } catch {
      // not this line
    }
  }
  return null;
}

/**
 * The most each source's file may hold. A bundle is a few hundred KB (docs/evidence.md); events.json
 * is the largest (Get-WinEvent -MaxEvents 50 per log, sources.ts). The caps keep a hostile or
 * mistaken file (an 18 MB event export, /dev/zero behind a name) from taking the process's memory:
 * a file over its cap is refused before it is read. A single file that is not one source (the
 * compact line, perhaps inside an Intune CSV export) may be up to MAX_EVIDENCE_BYTES.
 */
const MAX_SOURCE_BYTES: Readonly<Record<string, number>> = {
  events: 4 * 1024 * 1024,
  bitlocker: 2 * 1024 * 1024,
  'manage-bde': 1024 * 1024,
  dsregcmd: 1024 * 1024,
  tpmtool: 1024 * 1024,
};
const DEFAULT_SOURCE_BYTES = 1024 * 1024;

/** The size cap for a file of this name: its source's cap, or MAX_EVIDENCE_BYTES for any other file. */
function maxBytesFor(fileName: string): number {
  const src = BY_FILE.get(fileName.toLowerCase());
  if (src === undefined) return MAX_EVIDENCE_BYTES;
  return MAX_SOURCE_BYTES[src.name] ?? DEFAULT_SOURCE_BYTES;
}

/**
 * Opened for reading without following a link (O_NOFOLLOW) and without waiting on a FIFO
 * (O_NONBLOCK); Windows has neither flag, and there lstat has already refused links.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * An evidence file's text: a regular file with one name only (a symbolic link, a hard link, a
 * device or a FIFO is refused, never followed or read), refused unread over `maxBytes`, decoded from UTF-8 or UTF-16 (see
 * text-input.ts). Errors are EvidenceErrors without the file name (callers add it) and never quote
 * the file's content: they say what was expected and what kind of thing was found.
 */
async function readEvidenceFile(path: string, maxBytes: number = MAX_EVIDENCE_BYTES): Promise<string> {
  const link = await lstat(path).catch(() => null);
  if (link === null) throw new EvidenceError('cannot be read');
  if (!link.isFile()) throw new EvidenceError(`is ${kindOf(link)}; expected a regular file`);
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ELOOP: the name became a link between lstat and open.
    if (code === 'ELOOP') throw new EvidenceError('is a symbolic link; expected a regular file');
    throw new EvidenceError(
      `cannot be opened (${code === 'EACCES' ? 'permission denied' : (code ?? 'I/O error')})`,
    );
  }
  try {
    // What was opened is checked again: the name may have been replaced since lstat.
    const info = await handle.stat();
    if (!info.isFile()) throw new EvidenceError(`is ${kindOf(info)}; expected a regular file`);
    // A hard link is a regular file with another name elsewhere, perhaps /etc/shadow: whoever
    // could write in the bundle's folder chose what root reads. Refused for every run, root or
    // not (docs/security.md, "A hostile evidence file"); no collector makes one.
    if (info.nlink > 1) {
      throw new EvidenceError(
        `is a hard link (one of ${info.nlink} names of the same file); expected a regular file with one name (a copy)`,
      );
    }
    if (info.size > maxBytes) {
      throw new EvidenceError(
        `is ${(info.size / 1024 / 1024).toFixed(1)} MB; ${maxBytes === MAX_EVIDENCE_BYTES ? 'evidence files' : 'files of this source'} over ${describeCap(maxBytes)} are refused without reading them`,
      );
    }
    // Read at most one byte past the limit, in case the file grew since fstat.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle
        .read(buffer, length, buffer.length - length, length)
        .catch((e: NodeJS.ErrnoException) => {
          throw new EvidenceError(`cannot be read (${e.code ?? 'I/O error'})`);
        });
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) {
      throw new EvidenceError('grew past the evidence size limit while being read');
    }
    return decodeEvidenceText(buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/** What kind of thing is at a path, for "is a symbolic link; expected a regular file". */
function kindOf(info: {
  isSymbolicLink(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isSymbolicLink()) return 'a symbolic link';
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function describeCap(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}

function problemFrom(src: EvidenceSource, e: unknown, file: string = src.file): Problem {
  if (e instanceof EvidenceError) return { source: src.name, file, message: e.inFile(file).message };
  const detail = e instanceof Error ? e.message : String(e);
  return { source: src.name, file, message: redact(`${file}: could not be read: ${detail}`) };
}

/**
 * JSON sources whose command's default text view is read too: an admin who ran `Get-Tpm` and
 * saved what it printed (Format-List), rather than `Get-Tpm | ConvertTo-Json`. docs/evidence.md
 * lists every shape read.
 */
const TEXT_VIEWS_READ = new Set(['get-tpm', 'win32-tpm', 'ek-info', 'bitlocker', 'events']);

type Note = NonNullable<WindowsEvidence['notes']>[number];

/** Runs one source's parser over its raw content; parse failures go to `problems`. */
function parseSource<T>(
  raw: ReadonlyMap<string, RawSource>,
  name: string,
  problems: Problem[],
  parse: (input: unknown, note: (message: string) => void) => T,
  notes: Note[] = [],
): T | null {
  const src = BY_NAME.get(name)!;
  const content = raw.get(name);
  if (content === undefined) return null;
  const note = (message: string) => notes.push({ source: name, file: src.file, message });
  try {
    if (src.kind === 'text') {
      if (content.kind !== 'text' || typeof content.text !== 'string') {
        throw new EvidenceError('expected text output, found none');
      }
      return parse(content.text, note);
    }
    if (content.kind === 'text' && TEXT_VIEWS_READ.has(name) && !looksLikeJson(content.text)) {
      return parse(content.text, note);
    }
    const value =
      content.kind === 'json'
        ? content.value
        : parseJsonText(content.text, EXPECTED_JSON[name] ?? `${src.file} JSON`);
    return parse(value, note);
  } catch (e) {
    problems.push(problemFrom(src, e));
    return null;
  }
}

function looksLikeJson(text: string): boolean {
  const body = text.replace(/^\uFEFF/, '').trim();
  return body.startsWith('{') || body.startsWith('[') || body === '';
}

interface Meta {
  collectedAt: string | null;
  computerName: string | null;
  osVersion: string | null;
  elevated: boolean | null;
  /** Sources the collector could not run, with its error. */
  failed: { name: string; error: string }[];
}

function parseMeta(input: unknown): Meta {
  if (!isRecord(input) || !hasAnyField(input, ['CollectedAt', 'ComputerName', 'Elevated'])) {
    throw new EvidenceError(`expected ${EXPECTED_JSON.meta}`);
  }
  const failed: Meta['failed'] = [];
  const sources = field(input, 'Sources');
  if (isRecord(sources)) {
    for (const [name, status] of Object.entries(sources)) {
      if (!isRecord(status) || toBool(field(status, 'Ok')) !== false) continue;
      failed.push({ name, error: toStr(field(status, 'Error')) ?? 'failed' });
    }
  }
  return {
    collectedAt: toIsoTime(field(input, 'CollectedAt')),
    computerName: toStr(field(input, 'ComputerName')),
    osVersion: toStr(field(input, 'OsVersion')),
    elevated: toBool(field(input, 'Elevated')),
    failed,
  };
}

/**
 * WindowsEvidence from each source's raw content (a bundle directory's files, or the live
 * collector's output). Shared by readEvidenceBundle and collectWindowsEvidence.
 */
export function evidenceFromSources(
  raw: ReadonlyMap<string, RawSource>,
  origin: string,
  problems: Problem[] = [],
): WindowsEvidence {
  const notes: Note[] = [];
  const meta = parseSource(raw, 'meta', problems, parseMeta);
  for (const f of meta?.failed ?? []) {
    const src = BY_NAME.get(f.name);
    if (src === undefined || raw.has(f.name)) continue;
    problems.push({
      source: f.name,
      file: src.file,
      message: notCollected(src, f.error, meta?.elevated ?? null),
    });
  }
  const fromPowerShell = parseSource<BitLockerVolume[]>(
    raw,
    'bitlocker',
    problems,
    parseBitLockerVolumes,
    notes,
  );
  const fromManageBde = parseSource<BitLockerVolume[]>(
    raw,
    'manage-bde',
    problems,
    (t, note) => parseManageBde(t as string, note),
    notes,
  );
  const events = parseSource(raw, 'events', problems, parseEvents);
  const mdmSync = parseSource(raw, 'mdm-sync', problems, parseMdmSync);
  if (mdmSync !== null && mdmSync.lastErrorCode === null && events !== null) {
    mdmSync.lastErrorCode = newestMdmErrorCode(events, mdmSync.lastSuccessfulSync);
  }
  return {
    origin,
    collectedAt: meta?.collectedAt ?? null,
    computerName: meta?.computerName ?? null,
    osVersion: meta?.osVersion ?? null,
    elevated: meta?.elevated ?? null,
    getTpm: parseSource(raw, 'get-tpm', problems, parseGetTpm, notes),
    win32Tpm: parseSource(raw, 'win32-tpm', problems, parseWin32Tpm, notes),
    isReady: parseSource(raw, 'is-ready', problems, parseIsReadyInformation),
    ekInfo: parseSource(raw, 'ek-info', problems, parseEkInfo, notes),
    tpmtool: parseSource(raw, 'tpmtool', problems, (t, note) => parseTpmtool(t as string, note), notes),
    dsregcmd: parseSource(raw, 'dsregcmd', problems, (t) => parseDsregcmd(t as string)),
    bitlocker: mergeBitLocker(fromPowerShell, fromManageBde),
    enrollments: parseSource(raw, 'enrollments', problems, parseEnrollments),
    mdmSync,
    events,
    problems: problems.sort((a, b) => a.source.localeCompare(b.source)),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** "get-tpm.json: not collected on the device: Access denied (needs an elevated prompt; ...)". */
export function notCollected(src: EvidenceSource, error: string, elevated: boolean | null): string {
  const hint =
    src.elevation === 'required' && elevated === false
      ? ' (it needs an elevated prompt, and the collector was not elevated: run it as administrator)'
      : '';
  return redact(`${src.file}: not collected on the device: ${error}${hint}`);
}

/**
 * The error code of the newest DeviceManagement-Enterprise-Diagnostics-Provider error event
 * after the last successful sync: what the device last failed with, when it has failed since.
 */
function newestMdmErrorCode(events: readonly WindowsEvent[], lastSuccess: string | null): string | null {
  const failures = events
    .filter((e) => e.log === EVENT_LOGS.deviceManagement && (e.level === 'error' || e.level === 'critical'))
    .filter((e) => e.timeCreated !== null && (lastSuccess === null || e.timeCreated > lastSuccess))
    .sort((a, b) => (b.timeCreated ?? '').localeCompare(a.timeCreated ?? ''));
  for (const e of failures) {
    const code = /0x8[0-9a-f]{7}(?![0-9a-f])/i.exec(e.message);
    if (code) return code[0].toLowerCase();
  }
  return null;
}
