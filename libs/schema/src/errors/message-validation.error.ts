import { quoteInput } from './quote-input.js';
import { SchemaError } from './schema.error.js';

/** The most issues the message lists (all of them stay in `issues`): unknown properties come from the input. */
const LISTED_ISSUES = 20;

/** One failed property of a message. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `items[1].name` or `author.email`; empty for the message itself. */
  readonly path: string;
  /** The failed constraints' messages, e.g. `name must be a string`. */
  readonly constraints: readonly string[];
}

/** Message data does not satisfy its schema class's class-validator constraints. */
export class MessageValidationError extends SchemaError {
  constructor(
    /** Name of the schema class the data was validated against. */
    readonly className: string,
    /** Every failed property, depth first. */
    readonly issues: readonly ValidationIssue[],
  ) {
    const listed = issues
      .slice(0, LISTED_ISSUES)
      .map(
        (issue) =>
          `  - ${quoteInput(issue.path) || '(message)'}: ${quoteInput(issue.constraints.join('; '), 240)}`,
      );
    if (issues.length > LISTED_ISSUES)
      listed.push(`  - …and ${issues.length - LISTED_ISSUES} more (see \`issues\`)`);
    super(
      `Message does not match ${className} (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n` +
        listed.join('\n') +
        '\nFix the producer, or publish a new schema version if the contract changed.',
    );
  }
}
