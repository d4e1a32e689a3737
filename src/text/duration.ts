import type { Language } from './messages/language.js';

const UNITS: Record<Language, { size: number; name: string }[]> = {
  en: [
    { size: 86_400, name: ' d' },
    { size: 3_600, name: ' h' },
    { size: 60, name: ' min' },
    { size: 1, name: ' s' },
  ],
  ja: [
    { size: 86_400, name: '日' },
    { size: 3_600, name: '時間' },
    { size: 60, name: '分' },
    { size: 1, name: '秒' },
  ],
};

/**
 * A duration as every human output writes it: the two largest units, "16 min 40 s", "2 h 5 min",
 * "45 s"; in Japanese "16分40秒", "2時間5分", "45秒". JSON keeps plain seconds.
 */
export function formatDuration(totalSeconds: number, language: Language = 'en'): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const units = UNITS[language];
  if (s === 0) return `0${units[3]!.name}`;
  const parts: string[] = [];
  let rest = s;
  for (const { size, name } of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(language === 'en' ? ' ' : '');
}
