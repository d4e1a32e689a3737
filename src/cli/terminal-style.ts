import { styleText } from 'node:util';

/** How human output is laid out: the terminal's width, and whether it shows colour. */
export interface TextLayout {
  readonly width: number;
  readonly colour: boolean;
}

/** What the renderers use when nobody says: 80 columns, no colour (a file, a pipe, a test). */
export const PLAIN_LAYOUT: TextLayout = { width: 80, colour: false };

/** The narrowest layout we wrap to: below it, labels and hanging indents leave no room for text. */
const MIN_WIDTH = 40;

/**
 * The layout for writing to `stream`: a terminal's own width and colours; 80 columns and no
 * colour when the output goes to a file or a pipe. Colour follows the conventions every CLI
 * shares: NO_COLOR (https://no-color.org/) turns it off, FORCE_COLOR turns it on even into a
 * pipe (FORCE_COLOR=0 off), and a terminal's own colour support decides otherwise (Node's
 * tty.WriteStream.hasColors, which reads NO_COLOR, FORCE_COLOR and TERM too).
 */
export function terminalLayout(stream: NodeJS.WriteStream = process.stdout): TextLayout {
  const tty = stream.isTTY === true;
  const columns = tty ? stream.columns : undefined;
  const width = columns && columns > 0 ? Math.max(columns, MIN_WIDTH) : 80;
  return { width, colour: wantsColour(stream, tty) };
}

function wantsColour(stream: NodeJS.WriteStream, tty: boolean): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (process.env.NO_COLOR) return false;
  return tty && typeof stream.hasColors === 'function' && stream.hasColors();
}

export type Tone = 'good' | 'warn' | 'bad' | 'note' | 'heading';

const TONES: Record<Tone, Parameters<typeof styleText>[0]> = {
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  note: 'cyan',
  heading: 'bold',
};

/** `text` in the colour of `tone`, when the layout shows colour (Node's built-in util.styleText). */
export function paint(layout: TextLayout, tone: Tone, text: string): string {
  if (!layout.colour) return text;
  const styled = styleText(TONES[tone], text);
  return tone === 'bad' ? styleText('bold', styled) : styled;
}
