/** A timed transcript: what captions parse into and speech recognition produces. */
export interface Word {
  start: number;
  end: number;
  word: string;
  confidence?: number;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  words?: Word[];
}
