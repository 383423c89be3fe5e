import { Word } from './word.message.js';

const TEXT = `As Gregor Samsa awoke one morning from uneasy dreams he found himself transformed in his bed
into a gigantic insect. He was lying on his hard, as it were armor-plated, back and when he lifted his head a
little he could see his dome-like brown belly divided into stiff arched segments`;

/** An iterable source, as in snapstream: the words of the first lines of The Metamorphosis. */
export function* words(): Iterable<Word> {
  for (const word of TEXT.toLowerCase().match(/[a-z-]+/g) ?? []) yield Object.assign(new Word(), { word });
}
