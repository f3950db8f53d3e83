/**
 * A one-line terminal for progress bars: understands carriage return and "erase to end of line"
 * (ESC [ K), and keeps what is visible on the current line.
 */
export class FakeTerminal {
  readonly isTTY = true;
  private readonly chunks: string[] = [];
  private current = '';
  private cursor = 0;

  write(text: string): boolean {
    this.chunks.push(text);
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\r') this.cursor = 0;
      else if (text[i] === '\n') {
        this.current = '';
        this.cursor = 0;
      } else if (text.startsWith('\x1b[K', i)) {
        this.current = this.current.slice(0, this.cursor);
        i += 2;
      } else {
        const ch = text[i] as string;
        this.current = this.current.slice(0, this.cursor) + ch + this.current.slice(this.cursor + 1);
        this.cursor++;
      }
    }
    return true;
  }

  /** What a person would see on the line now, trailing blanks dropped. */
  get visibleLine(): string {
    return this.current.trimEnd();
  }

  /** Everything ever written, in order. */
  get written(): string {
    return this.chunks.join('');
  }
}
