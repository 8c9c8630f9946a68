/** The checks the template forms share (react-hook-form rules) and their unit conversions. */
import type { UseFormRegisterReturn } from 'react-hook-form';
/** A positive number (CPU may be fractional: 0.5 of a physical CPU). */
export const positive = (what: string) => (v: string) => v.trim() === '' || (Number.isFinite(Number(v)) && Number(v) > 0) || `${what} must be a number above 0`;
/** A positive whole number. */
export const positiveInt = (what: string) => (v: string) => v.trim() === '' || /^[1-9]\d*$/.test(v.trim()) || `${what} must be a whole number above 0`;

/** Memory in MB from the value and its unit. */
export function memoryMb(value: string, unit: string): number {
  return Math.round(Number(value) * (unit === 'GB' ? 1024 : 1));
}

/** SSH public keys, one a line, as OpenSSH writes them. */
export const sshKeys = (v: string) =>
  v.trim() === '' ||
  v
    .trim()
    .split('\n')
    .every((l) => /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+|sk-\S+)\s+[A-Za-z0-9+/=]+(\s.*)?$/.test(l.trim())) ||
  'Each line must be an SSH public key (ssh-ed25519 AAAA… comment)';

/** OpenNebula names: not empty, no quotes or control characters oned would refuse. */
export const nameRules = (what: string, required = true) => ({
  ...(required ? { required: `Enter a ${what.toLowerCase()}` } : {}),
  maxLength: { value: 128, message: `${what} is at most 128 characters` },
  validate: (v: string) => (required && v.trim() === '' ? `Enter a ${what.toLowerCase()}` : !/["\\\u0000-\u001f]/.test(v) || `${what} may not contain quotes, backslashes or control characters`),
});

/** The MB / GB choice next to a memory field (register('memoryUnit') of the form). */
export function MemoryUnit({ field }: { field: UseFormRegisterReturn }) {
  return (
    <label>
      Memory unit
      <select {...field}>
        <option value="MB">MB</option>
        <option value="GB">GB</option>
      </select>
    </label>
  );
}
