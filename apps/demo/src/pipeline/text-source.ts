import { Injectable } from '@nestjs/common';
import { StreamSource } from '@samsa/stream-store';
import { Word } from './word.message.js';

const TEXT = `As Gregor Samsa awoke one morning from uneasy dreams he found himself transformed in his bed
into a gigantic insect. He was lying on his hard, as it were armor-plated, back and when he lifted his head a
little he could see his dome-like brown belly divided into stiff arched segments`;

/** The words of the first lines of The Metamorphosis. */
export function* words(): Iterable<Word> {
  for (const word of TEXT.toLowerCase().match(/[a-z-]+/g) ?? []) yield Object.assign(new Word(), { word });
}

/**
 * snapstream's `snap(iterable, sink=[topic])`, the Nest way: at startup samsa reads the iterable and
 * publishes each word to `words`, keyed by the word (so one word's counts stay on one partition).
 */
@Injectable()
export class TextSource {
  @StreamSource<Word>({ sink: 'words', key: (word) => word.word })
  words(): Iterable<Word> {
    return words();
  }
}
