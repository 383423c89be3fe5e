import type { ValidationError } from 'class-validator';
import type { ValidationIssue } from '../errors/message-validation.error.js';

/**
 * Flattens class-validator's error tree into issues with readable paths: `author.email`, `items[1].name`.
 * Depth first, in the order class-validator reports them.
 */
export function toValidationIssues(errors: readonly ValidationError[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const error of errors) collect(error, '', issues);
  return issues;
}

function collect(error: ValidationError, parentPath: string, issues: ValidationIssue[]): void {
  const path = joinPath(parentPath, error.property, error.target);
  if (error.constraints !== undefined) {
    issues.push({ path, constraints: Object.values(error.constraints) });
  }
  for (const child of error.children ?? []) collect(child, path, issues);
}

function joinPath(parentPath: string, property: string, owner: unknown): string {
  if (Array.isArray(owner) && /^\d+$/.test(property)) return `${parentPath}[${property}]`;
  return parentPath === '' ? property : `${parentPath}.${property}`;
}
