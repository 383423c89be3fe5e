import { EnvelopeError } from './envelope.error.js';

/** The envelope object has no `schema` property. */
export class EnvelopeMissingSchemaError extends EnvelopeError {
  constructor() {
    super(
      'Message envelope has no "schema" property. Producers must send {"schema":"Id:version","data":...} ' +
        '(use encodeEnvelope()).',
    );
  }
}
