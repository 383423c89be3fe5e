import { Schema } from '@samsa/schema';
import { IsInt, IsString, Min } from 'class-validator';

@Schema('Word', { version: 1, streams: ['words'] })
export class Word {
  @IsString() word!: string;
}

@Schema('WordCounted', { version: 1, streams: ['words.counted'] })
export class WordCounted {
  @IsString() word!: string;
  @IsInt() @Min(1) count!: number;
}
