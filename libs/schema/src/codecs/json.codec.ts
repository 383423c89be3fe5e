import { CodecError } from '../errors/codec.error.js';
import type { Codec } from './codec.interface.js';
import { errorMessage } from './error-message.js';

/** UTF-8 JSON. The default codec. */
export class JsonCodec<T = unknown> implements Codec<T> {
  readonly name = 'json';

  /** @param schemaName what the codec serves, for error messages. Default: `'unknown schema'`. */
  constructor(private readonly schemaName = 'unknown schema') {}

  encode(value: T): Buffer {
    let json: string | undefined;
    try {
      json = JSON.stringify(value) as string | undefined;
    } catch (error) {
      throw this.error(
        'encode',
        `${errorMessage(error)}; convert BigInts to strings and remove cycles`,
        error,
      );
    }
    if (json === undefined) {
      throw this.error('encode', `a ${typeof value} has no JSON form; encode null for an empty value`);
    }
    return Buffer.from(json, 'utf8');
  }

  decode(bytes: Buffer): T {
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      throw this.error(
        'decode',
        `${errorMessage(error)}; the bytes are not UTF-8 JSON (check the producer's codec)`,
        error,
      );
    }
  }

  private error(operation: 'encode' | 'decode', problem: string, cause?: unknown): CodecError {
    return new CodecError(this.name, this.schemaName, operation, problem, cause);
  }
}
