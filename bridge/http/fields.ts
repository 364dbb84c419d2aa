import { badField } from './HttpError.js';

/** Reads field `name` of a query string or JSON body as an integer in [min, max]. */
export function intField(source: Record<string, unknown>, name: string, min: number, max: number): number {
  const raw = source[name];
  if (raw === undefined || raw === '') throw badField(name, 'is required');
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value)) throw badField(name, `must be an integer, got ${JSON.stringify(raw)}`);
  if (value < min || value > max) throw badField(name, `must be in ${min}..${max}, got ${value}`);
  return value;
}

export function optionalIntField(source: Record<string, unknown>, name: string, min: number, max: number, fallback: number): number {
  return source[name] === undefined ? fallback : intField(source, name, min, max);
}

/** A finite number (JSON number or numeric string). */
export function numberField(source: Record<string, unknown>, name: string): number {
  const raw = source[name];
  if (raw === undefined || raw === '') throw badField(name, 'is required');
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) throw badField(name, `must be a finite number, got ${JSON.stringify(raw)}`);
  return value;
}

export function stringField(source: Record<string, unknown>, name: string, maxLength: number): string {
  const raw = source[name];
  if (typeof raw !== 'string') throw badField(name, raw === undefined ? 'is required' : 'must be a string');
  if (raw.length > maxLength) throw badField(name, `is longer than ${maxLength} characters`);
  return raw;
}

export function optionalStringField(source: Record<string, unknown>, name: string, maxLength: number): string | undefined {
  return source[name] === undefined ? undefined : stringField(source, name, maxLength);
}

/** The request body as an object, or a 400 if it is not one. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badField('body', 'must be a JSON object');
  return body as Record<string, unknown>;
}
